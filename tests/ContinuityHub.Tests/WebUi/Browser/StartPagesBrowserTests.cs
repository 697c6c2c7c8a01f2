using System.Text.RegularExpressions;
using ContinuityHub.Security;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>Issue #11 item 1 in a real browser: sign-in, each role's start page and navigation, sign-out, the 403 and 404 pages.</summary>
public sealed class StartPagesBrowserTests(BrowserHub hub) : IClassFixture<BrowserHub>
{
    [Fact]
    public async Task The_development_sign_in_is_a_GOV_UK_form_and_names_every_problem_in_an_error_summary()
    {
        var page = await hub.NewPageAsync();
        await page.GotoAsync("/dev/signin");
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("sign-in");

        await page.CheckAsync($"input[name=role][value={HubRoles.Probation}]");
        await page.ClickAsync("button:has-text('Sign in')");

        Assert.StartsWith("Error: ", await page.TitleAsync());
        var summary = page.Locator(".govuk-error-summary");
        Assert.Contains("Enter a name.", await summary.InnerTextAsync());
        Assert.Contains("A probation user needs delivery-unit codes", await summary.InnerTextAsync());
        Assert.Contains("Enter a name.", await page.InnerTextAsync("#name-error"));
        await summary.Locator("a[href='#name']").ClickAsync();
        Assert.Equal("name", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("sign-in-errors");
    }

    [Theory]
    [InlineData(HubRoles.TreatmentProvider, null, "EXS2SN", null, "/referrals", "Referrals", "start-treatment-provider")]
    [InlineData(HubRoles.Probation, null, null, "*", "/caseload", "Caseload", "start-probation")]
    [InlineData(HubRoles.PrisonHealthcare, "ONI", null, null, "/releases", "Releases", "start-prison-healthcare")]
    [InlineData(HubRoles.Commissioner, null, null, null, "/dashboard", "Dashboard", "start-commissioner")]
    [InlineData(HubRoles.Admin, null, null, null, "/admin", "Administration", "start-admin")]
    public async Task Each_role_lands_on_its_own_start_page_with_its_navigation_and_never_on_the_outbox(
        string role, string? prisons, string? ods, string? pdu, string home, string current, string screenshot)
    {
        var page = await hub.SignedInPageAsync(role, prisons, ods, pdu, name: "Alex Example");

        Assert.Equal(hub.BaseUrl + home, page.Url);
        Assert.DoesNotContain("Outbound emails", await page.TitleAsync());
        var active = page.Locator(".govuk-service-navigation__link[aria-current=page]");
        Assert.Equal(current, (await active.InnerTextAsync()).Trim());
        Assert.Contains("Alex Example", await page.InnerTextAsync("header"));
        Assert.Equal(1, await page.Locator("header form[action='/signout'] input[name=__RequestVerificationToken]").CountAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync(screenshot);
    }

    [Fact]
    public async Task Signing_out_from_the_header_ends_the_session_and_says_so()
    {
        var page = await hub.SignedInPageAsync(HubRoles.Commissioner);

        await page.ClickAsync("header button:has-text('Sign out')");

        Assert.Equal(hub.BaseUrl + "/signed-out", page.Url);
        Assert.Equal("You have been signed out", (await page.InnerTextAsync("h1")).Trim());
        await page.AssertAccessibleAsync();
        await page.GotoAsync("/dashboard");
        Assert.StartsWith(hub.BaseUrl + "/dev/signin", page.Url);
    }

    [Fact]
    public async Task A_page_outside_the_role_is_the_403_page_and_an_unknown_page_the_404_page()
    {
        var page = await hub.SignedInPageAsync(HubRoles.Probation, pdu: "*");

        var forbidden = await page.GotoAsync("/dashboard");
        Assert.Equal(403, forbidden!.Status);
        Assert.Equal("You do not have access to this page", (await page.InnerTextAsync("h1")).Trim());
        Assert.DoesNotContain("Cohort", await page.MainTextAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("error-403");

        var missing = await page.GotoAsync("/no-such-page");
        Assert.Equal(404, missing!.Status);
        Assert.Equal("Page not found", (await page.InnerTextAsync("h1")).Trim());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("error-404");
    }

    [Fact]
    public async Task Everything_works_with_JavaScript_off_and_the_page_has_no_inline_script()
    {
        var page = await hub.SignedInPageAsync(HubRoles.Admin, javaScript: false);

        Assert.Equal(hub.BaseUrl + "/admin", page.Url);
        await page.ClickAsync(".govuk-service-navigation__link:has-text('Dashboard')");
        Assert.Equal(hub.BaseUrl + "/dashboard", page.Url);
        var scripts = await page.EvaluateAsync<string[]>("[...document.scripts].map(s => s.src)");
        Assert.All(scripts, src => Assert.Matches(new Regex("^http://127\\.0\\.0\\.1:\\d+/"), src));
    }

    [Fact]
    public async Task With_JavaScript_on_the_design_systems_scripts_run()
    {
        var page = await hub.SignedInPageAsync(HubRoles.Commissioner);

        await page.WaitForFunctionAsync("document.body.classList.contains('govuk-frontend-supported')");
        Assert.Contains("js-enabled", await page.GetAttributeAsync("body", "class"));
    }
}
