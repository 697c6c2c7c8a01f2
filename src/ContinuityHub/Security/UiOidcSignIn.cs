using ContinuityHub.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Security;

/// <summary>
/// Production sign-in for the web UI: the authorization-code flow with PKCE against the same issuer whose
/// tokens the APIs accept, ending in the UI's cookie session with the issuer's claims (roles and scopes).
/// The scheme exists only when <see cref="AuthOptions.UiClientId"/> is set with an issuer: an OpenID Connect
/// handler without a client would fail on every request, and the settings are only final once every
/// configuration source (tests included) has applied, hence the registration through options.
/// </summary>
public static class UiOidcSignIn
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;
    public const string CallbackPath = "/signin-oidc";

    public static bool IsConfigured(HubAuthMode mode, AuthOptions auth) => mode.IsOidc && !string.IsNullOrWhiteSpace(auth.UiClientId);

    public static void AddUiOidcSignIn(this IServiceCollection services)
    {
        services.TryAddTransient<OpenIdConnectHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OpenIdConnectOptions>, OpenIdConnectPostConfigureOptions>());
        services.AddOptions<AuthenticationOptions>().Configure<IOptions<HubOptions>, HubAuthMode>((authentication, hub, mode) =>
        {
            if (IsConfigured(mode, hub.Value.Auth)) authentication.AddScheme<OpenIdConnectHandler>(Scheme, "Sign in with your organisation");
        });
        services.AddOptions<CookieAuthenticationOptions>(UiAuthentication.CookieScheme).Configure<IOptions<HubOptions>, HubAuthMode>((cookie, hub, mode) =>
        {
            if (IsConfigured(mode, hub.Value.Auth)) cookie.ForwardChallenge = Scheme;
        });
        services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<HubOptions>>((oidc, hub) =>
        {
            var auth = hub.Value.Auth;
            oidc.Authority = auth.Authority;
            oidc.ClientId = auth.UiClientId;
            oidc.ClientSecret = auth.UiClientSecret;
            oidc.RequireHttpsMetadata = auth.RequireHttpsMetadata;
            oidc.ResponseType = "code";
            // The code comes back on a GET redirect (not the default form_post): a cross-site POST would not carry
            // the SameSite=Lax correlation and nonce cookies (UiCookies).
            oidc.ResponseMode = "query";
            oidc.UsePkce = true;
            oidc.CallbackPath = CallbackPath;
            oidc.SignInScheme = UiAuthentication.CookieScheme;
            // The session needs the claims, not the tokens: nothing to leak from the cookie.
            oidc.SaveTokens = false;
            oidc.MapInboundClaims = false;
            oidc.TokenValidationParameters.NameClaimType = HubClaims.Name;
            oidc.TokenValidationParameters.RoleClaimType = HubClaims.Roles;
            // The issuer's roles and scope claims arrive as they are in the id token (arrays become repeated claims).
            oidc.ClaimActions.Clear();
        });
    }
}
