using System.Net;
using System.Web;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.WebUi;

/// <summary>In oidc mode with a UI client configured, a page sends the browser to the issuer (code flow, PKCE).</summary>
public sealed class UiOidcSignInTests : IAsyncLifetime
{
    private WebApplication issuer = null!;
    private string issuerUrl = null!;

    public async Task InitializeAsync()
    {
        (issuer, issuerUrl) = await LocalHttpServer.StartAsync(app =>
        {
            app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = issuerUrl,
                ["authorization_endpoint"] = issuerUrl + "/authorize",
                ["token_endpoint"] = issuerUrl + "/token",
                ["jwks_uri"] = issuerUrl + "/jwks",
                ["response_types_supported"] = new[] { "code" },
            }));
            app.MapGet("/jwks", () => Results.Json(new { keys = Array.Empty<object>() }));
        });
    }

    public async Task DisposeAsync() => await issuer.DisposeAsync();

    private sealed class OidcUiHub(string authority) : HubFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Hub:Auth:Authority", authority);
            builder.UseSetting("Hub:Auth:RequireHttpsMetadata", "false");
            builder.UseSetting("Hub:Auth:UiClientId", "continuityhub-ui");
        }
    }

    [Fact]
    public async Task The_dashboard_sends_a_browser_without_a_session_to_the_issuer_with_the_code_flow_and_PKCE()
    {
        await using var hub = new OidcUiHub(issuerUrl);

        var response = await hub.NewBrowser().GetAsync("/dashboard");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(issuerUrl + "/authorize?", location.AbsoluteUri);
        var query = HttpUtility.ParseQueryString(location.Query);
        Assert.Equal("continuityhub-ui", query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.EndsWith("/signin-oidc", query["redirect_uri"]);
    }

    [Fact]
    public async Task The_APIs_still_answer_401_to_a_request_without_a_bearer_token()
    {
        await using var hub = new OidcUiHub(issuerUrl);

        var response = await hub.NewBrowser().GetAsync("/api/v1/caseload?pdu=N01");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
