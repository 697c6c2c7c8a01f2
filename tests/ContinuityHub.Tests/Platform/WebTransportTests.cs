using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.WebUi;

namespace ContinuityHub.Tests.Platform;

/// <summary>
/// Web and transport (issue 12, item 7): security headers on every answer, pages that need nothing inline,
/// cookies Lax and (outside Development) Secure, and behind a trusted proxy the public scheme and host in redirect
/// URIs and FHIR links, with HSTS outside Development.
/// </summary>
public sealed partial class WebTransportTests : IAsyncLifetime
{
    private OidcIssuerStub issuer = null!;

    public async Task InitializeAsync() => issuer = await OidcIssuerStub.StartAsync();

    public async Task DisposeAsync() => await issuer.DisposeAsync();


    private static void AssertSecurityHeaders(HttpResponseMessage response, string what)
    {
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), $"{what}: no Content-Security-Policy");
        var policy = csp.Single();
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("style-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers_pages_APIs_FHIR_errors_and_health()
    {
        await using var hub = new HubFactory();
        var anonymous = hub.CreateClient();
        var admin = hub.ClientFor(HubRoles.Admin);

        foreach (var (client, path, expected) in new[]
        {
            (anonymous, "/health/live", HttpStatusCode.OK),
            (anonymous, "/api/v1/followups", HttpStatusCode.Unauthorized),
            (admin, "/api/v1/followups", HttpStatusCode.OK),
            (admin, "/api/v1/no-such-thing", HttpStatusCode.NotFound),
            (anonymous, "/fhir/metadata", HttpStatusCode.OK),
            (admin, "/fhir/Task/not-a-uuid", HttpStatusCode.NotFound),
            (anonymous, "/dev/signin", HttpStatusCode.OK),
        })
        {
            var response = await client.GetAsync(path);
            Assert.True(expected == response.StatusCode, $"{path}: {(int)response.StatusCode}");
            AssertSecurityHeaders(response, path);
        }
        // The API reference (a script application) is the one page allowed inline script and style; still never framed.
        var reference = await anonymous.GetAsync("/api-docs/");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Equal(SecurityHeaders.ApiReferencePolicy, reference.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", SecurityHeaders.ApiReferencePolicy);
        var malformed = await hub.PrisonClient().PostAsync("/api/v1/releases", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        AssertSecurityHeaders(malformed, "a malformed body");
    }

    [Fact]
    public async Task The_pages_need_nothing_inline()
    {
        await using var hub = new HubFactory();
        var browser = await hub.SignedInBrowserAsync(HubRoles.Admin);
        var pages = new Dictionary<string, string>
        {
            ["/dev/signin"] = await hub.NewBrowser().GetStringAsync("/dev/signin"),
            ["/dashboard"] = await browser.GetStringAsync("/dashboard"),
            ["/notifications"] = await browser.GetStringAsync("/notifications"),
        };

        foreach (var (path, html) in pages)
        {
            Assert.False(InlineScriptOrStyle().IsMatch(html), $"{path} has inline script or style: {InlineScriptOrStyle().Match(html).Value}");
        }
        Assert.Contains("<svg", pages["/dashboard"]); // the chart is inline SVG, which the policy allows (it is markup, not script)
    }

    /// <summary>What a CSP without 'unsafe-inline' blocks: script elements without src, style elements, style attributes, event-handler attributes, javascript: URLs.</summary>
    [GeneratedRegex(@"<script(?![^>]*\ssrc=)|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScriptOrStyle();

    private static string Cookie(HttpResponseMessage response, string name) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(name + "=", StringComparison.Ordinal)).ToLowerInvariant();

    [Fact]
    public async Task In_Development_the_session_cookie_is_Lax_and_HttpOnly_and_plain_http_keeps_working()
    {
        await using var hub = new HubFactory();
        var browser = hub.NewBrowser();
        var form = await browser.GetAsync("/dev/signin");
        var signIn = await browser.SubmitSignInAsync(new() { ["name"] = "Casey", ["role"] = HubRoles.Commissioner });

        var session = Cookie(signIn, UiAuthentication.CookieName);
        Assert.Contains("samesite=lax", session);
        Assert.Contains("httponly", session);
        Assert.DoesNotContain("secure", session);
        var antiforgery = Cookie(form, "continuityhub.antiforgery");
        Assert.Contains("samesite=lax", antiforgery);
        Assert.False(form.Headers.Contains("Strict-Transport-Security"), "no HSTS in Development");
    }

    [Fact]
    public async Task Behind_a_proxy_in_Production_the_sign_in_redirect_uses_the_public_https_address_with_Lax_Secure_cookies_and_HSTS()
    {
        var port = HubProcess.FreePort();
        await using var hub = new ProductionHub(issuer.Url, uiClientId: "continuityhub-ui");
        hub.UseKestrel(port);
        _ = hub.Services; // starts the server
        // A plain client of the real server (the factory's client would follow the redirect to the issuer).
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "continuityhub.example.org");

        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var query = HttpUtility.ParseQueryString(response.Headers.Location!.Query);
        Assert.Equal("https://continuityhub.example.org/signin-oidc", query["redirect_uri"]);
        // The code comes back on a GET (response_mode query, the code flow's default, so not sent): a cross-site form
        // POST would arrive without the Lax cookies.
        Assert.NotEqual("form_post", query["response_mode"]);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.OpenIdConnect.Nonce.", StringComparison.Ordinal));
        Assert.All(cookies, cookie =>
        {
            Assert.Contains("samesite=lax", cookie.ToLowerInvariant());
            Assert.Contains("secure", cookie.ToLowerInvariant());
            Assert.Contains("httponly", cookie.ToLowerInvariant());
        });
        Assert.StartsWith("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());
        AssertSecurityHeaders(response, "the sign-in redirect");
    }

    [Fact]
    public async Task Behind_a_proxy_FHIR_paging_links_use_the_public_scheme_and_host()
    {
        await using var hub = new HubFactory();
        hub.UseKestrel(HubProcess.FreePort());
        var prison = hub.PrisonClient("ONI");
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Created, (await prison.PostAsJsonAsync("/api/v1/releases", Notifications.Example())).StatusCode);
        var admin = hub.ClientFor(HubRoles.Admin);

        var forwarded = new HttpRequestMessage(HttpMethod.Get, "/fhir/Task?_count=1");
        forwarded.Headers.Add("X-Forwarded-Proto", "https");
        forwarded.Headers.Add("X-Forwarded-Host", "continuityhub.example.org");
        var bundle = (await (await admin.SendAsync(forwarded)).Content.ReadFromJsonAsync<JsonObject>())!;

        var links = bundle["link"]!.AsArray().ToDictionary(l => (string)l!["relation"]!, l => (string)l!["url"]!);
        Assert.StartsWith("https://continuityhub.example.org/fhir/Task?", links["self"]);
        Assert.StartsWith("https://continuityhub.example.org/fhir/Task?", links["next"]);

    }

    [Fact]
    public async Task Forwarded_headers_from_an_address_that_is_not_a_known_proxy_are_ignored()
    {
        // The machine's own non-loopback address: a client there is not a proxy the hub trusts (loopback is).
        var address = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (address is null) return; // a machine with loopback only cannot make this request (xunit 2 has no dynamic skip)
        var port = HubProcess.FreePort();
        await using var hub = new HubFactory();
        hub.UseKestrel(kestrel => kestrel.Listen(address!, port));
        var admin = hub.CreateClient(new() { BaseAddress = new Uri($"http://{address}:{port}") });
        admin.DefaultRequestHeaders.Authorization = new("Bearer", hub.Token(HubRoles.Admin));
        var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/Task?_count=1");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        var bundle = (await (await admin.SendAsync(request)).Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.StartsWith($"http://{address}:{port}/fhir/Task?", (string)bundle["link"]![0]!["url"]!);
    }
}
