using System.Net;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace ContinuityHub.Tests.WebUi;

/// <summary>Contract §3: the web UI uses a cookie session; development mode's /dev/signin picks a role and scope.</summary>
public sealed class DevSignInTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task A_page_asked_for_without_a_session_sends_the_browser_to_sign_in_and_back()
    {
        var response = await hub.NewBrowser().GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dev/signin?ReturnUrl=%2Fdashboard", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Signing_in_gives_an_http_only_lax_session_cookie_and_returns_to_the_page_asked_for()
    {
        var browser = hub.NewBrowser();
        var response = await browser.SubmitSignInAsync(new() { ["name"] = "Casey", ["role"] = HubRoles.Commissioner, ["returnUrl"] = "/dashboard?from=2025-04-01" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard?from=2025-04-01", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(UiAuthentication.CookieName + "="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        // Lax, not Strict (issue 12 item 7): the identity provider's redirect back must carry the session.
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_form_with_problems_is_shown_again_naming_each_problem_and_signs_nobody_in()
    {
        var browser = hub.NewBrowser();
        var response = await browser.SubmitSignInAsync(new() { ["name"] = " ", ["role"] = HubRoles.Probation, ["returnUrl"] = "//evil.example/" });

        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Enter a name.", page);
        Assert.Contains("A probation user needs delivery-unit codes", page);
        Assert.Contains("must be a page of this hub", page);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(UiAuthentication.CookieName + "=")));
    }

    [Theory]
    [InlineData(HubRoles.Commissioner, "/dashboard")]
    [InlineData(HubRoles.Admin, "/admin")]
    [InlineData(HubRoles.Probation, "/caseload")]
    [InlineData(HubRoles.TreatmentProvider, "/referrals")]
    [InlineData(HubRoles.PrisonHealthcare, "/releases")]
    public async Task Without_a_page_to_return_to_a_person_lands_on_the_page_their_role_may_see(string role, string home)
    {
        var response = await hub.NewBrowser().SubmitSignInAsync(new() { ["name"] = "Casey", ["role"] = role, ["pdu"] = "*", ["ods"] = "EXS2SN", ["prisons"] = "ONI" });

        Assert.Equal(home, response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_sign_in_post_without_the_anti_forgery_token_is_refused()
    {
        var response = await hub.NewBrowser().PostAsync("/dev/signin",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Casey", ["role"] = HubRoles.Admin }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_session_cookie_does_not_open_the_APIs_which_take_bearer_tokens_only()
    {
        var browser = await hub.SignedInBrowserAsync(HubRoles.Admin);

        var response = await browser.GetAsync("/api/v1/caseload?pdu=N01");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var browser = await hub.SignedInBrowserAsync(HubRoles.Commissioner);
        var page = await browser.GetStringAsync("/dev/signin");

        var response = await browser.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = BrowserSession.AntiforgeryToken(page),
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signed-out", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/dashboard")).StatusCode);
    }

    [Fact]
    public async Task A_sign_out_post_without_the_anti_forgery_token_is_refused_and_the_session_stays()
    {
        var browser = await hub.SignedInBrowserAsync(HubRoles.Commissioner);

        var response = await browser.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard")).StatusCode);
    }

    [Theory]
    [InlineData("/%09/evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("/%2F/evil.example")]
    [InlineData("/%5Cevil.example")]
    public async Task A_return_address_that_is_not_a_page_of_this_hub_is_refused(string returnUrl)
    {
        var browser = hub.NewBrowser();

        // As a link would bring it: in the query string of the sign-in page, carried by its form.
        var form = await browser.GetStringAsync("/dev/signin?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var carried = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(form, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);
        var response = await browser.PostAsync("/dev/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = BrowserSession.AntiforgeryToken(form),
            ["name"] = "Casey", ["role"] = HubRoles.Commissioner, ["returnUrl"] = carried,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("must be a page of this hub", await response.Content.ReadAsStringAsync());
        Assert.Null(response.Headers.Location);
    }
}

/// <summary>A session that ended while the person was away: they are told, not silently dropped on a sign-in form.</summary>
public sealed class SessionExpiryTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task After_eight_idle_hours_the_next_page_says_you_have_been_signed_out_and_offers_to_sign_in_again()
    {
        var browser = await hub.SignedInBrowserAsync(HubRoles.Commissioner);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard")).StatusCode);

        hub.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        var response = await browser.GetAsync("/dashboard?from=2026-04-01");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signed-out?reason=expired&returnUrl=%2Fdashboard%3Ffrom%3D2026-04-01", response.Headers.Location!.OriginalString);
        var page = await (await browser.GetAsync(response.Headers.Location)).Content.ReadAsStringAsync();
        Assert.Contains("You have been signed out", page);
        Assert.Contains("not used the service for 8 hours", page);
        Assert.Contains("href=\"/dashboard?from=2026-04-01\"", page);
        // The stale cookie is gone: the next page asks for sign-in as usual.
        var next = await browser.GetAsync("/dashboard");
        Assert.Equal("/dev/signin", next.Headers.Location!.AbsolutePath);
    }
}

/// <summary>Outside development mode there is no local sign-in page: its path is not found (issue 12 item 5; it answered 401 before).</summary>
public sealed class DevSignInOutsideDevelopmentTests : IClassFixture<DevSignInOutsideDevelopmentTests.OidcHub>
{
    private readonly OidcHub hub;

    public DevSignInOutsideDevelopmentTests(OidcHub hub) => this.hub = hub;

    public sealed class OidcHub : HubFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Hub:Auth:Authority", "https://login.example.invalid/");
        }
    }

    [Fact]
    public async Task The_development_sign_in_is_not_there_and_pages_say_how_to_sign_in()
    {
        var browser = hub.NewBrowser();

        var signIn = await browser.GetAsync("/dev/signin");
        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
        Assert.DoesNotContain("<form", await signIn.Content.ReadAsStringAsync());
        var page = await browser.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Contains("sign-in is not configured", await page.Content.ReadAsStringAsync());
    }
}
