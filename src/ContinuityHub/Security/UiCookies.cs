using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace ContinuityHub.Security;

/// <summary>
/// One policy for every cookie the web UI sets — the session, the anti-forgery cookie, and the OpenID Connect
/// handler's correlation and nonce cookies: HttpOnly, SameSite=Lax, and Secure outside the Development environment
/// (a development hub runs on plain http://127.0.0.1). Lax rather than Strict: the browser comes back from the
/// identity provider through a redirect another site started, and under Strict neither the correlation cookie
/// nor, on the next redirect, the new session would be sent; Lax still withholds them from cross-site POSTs.
/// </summary>
public static class UiCookies
{
    public static void AddUiCookiePolicy(this IServiceCollection services)
    {
        services.AddOptions<CookieAuthenticationOptions>(UiAuthentication.CookieScheme)
            .Configure<IHostEnvironment>((options, environment) => Apply(options.Cookie, environment));
        services.AddOptions<AntiforgeryOptions>()
            .Configure<IHostEnvironment>((options, environment) => Apply(options.Cookie, environment));
        services.AddOptions<OpenIdConnectOptions>(UiOidcSignIn.Scheme).Configure<IHostEnvironment>((options, environment) =>
        {
            Apply(options.CorrelationCookie, environment);
            Apply(options.NonceCookie, environment);
        });
    }

    private static void Apply(CookieBuilder cookie, IHostEnvironment environment)
    {
        cookie.HttpOnly = true;
        cookie.SameSite = SameSiteMode.Lax;
        cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
    }
}
