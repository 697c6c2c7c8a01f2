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

    /// <summary>The APIs and their descriptions (bearer tokens, JSON problems); every other path belongs to the web UI (the cookie session, pages).</summary>
    private static readonly PathString[] ApiPaths = ["/api", "/fhir", "/health", "/openapi", Hosting.OpenApiSetup.ReferencePath];

    public static bool IsUiPath(PathString path) => !ApiPaths.Any(api => path.StartsWithSegments(api));

    public static void AddUiSignIn(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication()
            .AddPolicyScheme(HubScheme, "Bearer token (APIs) or session cookie (web UI)", policy =>
                policy.ForwardDefaultSelector = context =>
                    IsUiPath(context.Request.Path) ? CookieScheme : JwtBearerDefaults.AuthenticationScheme)
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.Cookie.Name = CookieName; // HttpOnly, SameSite and Secure: UiCookies
                cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
                cookie.SlidingExpiration = true;
                cookie.LoginPath = DevSignIn.Path;
                cookie.Events.OnRedirectToLogin = context => RedirectToSignIn(context);
                cookie.Events.OnRedirectToAccessDenied = context =>
                {
                    // The 403 page (Pages/Errors/Status) says so and shows nothing of what was asked for.
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });

        builder.Services.AddUiOidcSignIn();
        builder.Services.AddUiCookiePolicy();

        // One key ring for every node, in the hub's database, so any node reads a cookie another node issued.
        builder.Services.AddDataProtection().SetApplicationName("ContinuityHub").PersistKeysToDbContext<HubDbContext>();
        builder.Services.AddAntiforgery(options => options.Cookie.Name = "continuityhub.antiforgery");
    }

    public const string SignOutPath = "/signout";

    private static Task RedirectToSignIn(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        var request = context.Request;
        if (request.Cookies.ContainsKey(CookieName) && HttpMethods.IsGet(request.Method))
        {
            // A session cookie the hub no longer accepts: the session ended while the person was away. Say so
            // (once: the stale cookie goes) rather than dropping them on a sign-in form.
            context.Response.Cookies.Delete(CookieName);
            var returnUrl = request.PathBase + request.Path + request.QueryString;
            context.Response.Redirect($"{Pages.Account.SignedOutModel.Path}?reason=expired&returnUrl={Uri.EscapeDataString(returnUrl)}");
            return Task.CompletedTask;
        }
        if (context.HttpContext.RequestServices.GetRequiredService<HubAuthMode>().IsDevelopment)
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        // Outside development, without a UI client at the issuer (UiOidcSignIn), there is no sign-in to send the
        // browser to: the 401 page (Pages/Errors/Status) says what the administrator sets.
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }
}
