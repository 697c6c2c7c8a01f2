using ContinuityHub.Data;
using ContinuityHub.Hosting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;

namespace ContinuityHub.Security;

/// <summary>
/// The web UI's sign-in (contract §3): pages are served to a cookie session, the JSON and FHIR APIs only to
/// bearer tokens. Keeping the cookie off the APIs means no API can be driven by a cross-site request riding
/// on a browser's session, so the APIs need no anti-forgery tokens.
/// </summary>
public static class UiAuthentication
{
    /// <summary>Chooses the bearer or the cookie scheme per request.</summary>
    public const string HubScheme = "hub";
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "continuityhub.session";

    /// <summary>Paths that belong to the web UI (everything else is an API).</summary>
    private static readonly PathString[] UiPaths = ["/dashboard", "/notifications", "/dev/signin", "/signout", UiOidcSignIn.CallbackPath];

    public static bool IsUiPath(PathString path) => UiPaths.Any(ui => path.StartsWithSegments(ui));

    public static void AddUiSignIn(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication()
            .AddPolicyScheme(HubScheme, "Bearer token (APIs) or session cookie (web UI)", policy =>
                policy.ForwardDefaultSelector = context =>
                    IsUiPath(context.Request.Path) ? CookieScheme : JwtBearerDefaults.AuthenticationScheme)
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.Cookie.Name = CookieName;
                cookie.Cookie.HttpOnly = true;
                // Strict: the session is never sent with a request another site starts (no cross-site form posts).
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
                cookie.LoginPath = DevSignInEndpoints.Path;
                cookie.Events.OnRedirectToLogin = context => RedirectToSignIn(context);
                cookie.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return WebUi.HtmlPage.WriteAsync(context.Response, "Not allowed",
                        "<p>Your role may not see this page. The dashboard is for commissioners and administrators.</p>" +
                        $"<form method=\"post\" action=\"{SignOutPath}\">{WebUi.HtmlPage.AntiforgeryField(context.HttpContext)}<button>Sign out</button></form>");
                };
            });

        builder.Services.AddUiOidcSignIn();

        // One key ring for every node, in the hub's database, so any node reads a cookie another node issued.
        builder.Services.AddDataProtection().SetApplicationName("ContinuityHub").PersistKeysToDbContext<HubDbContext>();
        builder.Services.AddAntiforgery(options => options.Cookie.Name = "continuityhub.antiforgery");
    }

    public const string SignOutPath = "/signout";

    private static Task RedirectToSignIn(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        if (context.HttpContext.RequestServices.GetRequiredService<HubAuthMode>().IsDevelopment)
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        // Outside development, without a UI client at the issuer (UiOidcSignIn), there is no sign-in to send the browser to.
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return WebUi.HtmlPage.WriteAsync(context.Response, "Sign-in required",
            "<p>The web UI's sign-in is not configured: the administrator sets <code>Hub__Auth__UiClientId</code> (the UI's client at the " +
            "identity provider). The JSON API (<code>GET /api/v1/reports/engagement</code>) takes a bearer token from the identity provider.</p>");
    }
}
