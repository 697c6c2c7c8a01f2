namespace ContinuityHub.Security;

/// <summary>
/// Headers every response carries, API and pages alike, errors included. The hub's pages are server-rendered with no
/// inline script, one stylesheet served by the hub (<c>/assets/hub.css</c>) and inline SVG, so the policy allows
/// nothing inline and nothing from elsewhere; <c>frame-ancestors 'none'</c> (and X-Frame-Options for older
/// browsers) stops the pages being framed for click-jacking.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    /// <summary>
    /// The one exception: the API reference page (Scalar, <c>/api-docs</c>) is a script application that starts
    /// from an inline module script and injects its styles, so it may run inline script and style — still only
    /// from the hub, never framed. It shows the API's description only, and its page carries no credentials
    /// (the UI session cookie is HttpOnly, and the APIs take bearer tokens, never the cookie).
    /// </summary>
    public const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    /// <summary>
    /// The Hangfire Dashboard (<c>/admin/jobs</c>, ADMIN only) colours its state cards with style attributes and its
    /// chart library injects a style element, so its pages may use inline <em>style</em> — and nothing else inline:
    /// its scripts are files served from the dashboard's own path, so script stays <c>'self'</c>, never framed.
    /// </summary>
    public const string JobDashboardPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    /// <summary>The policy of an answer: the strict one, but for the two pages that need their exception (whole path segments only).</summary>
    public static string PolicyFor(PathString path) =>
        path.StartsWithSegments(Hosting.OpenApiSetup.ReferencePath) ? ApiReferencePolicy
        : path.StartsWithSegments(Features.FollowUps.FollowUpDashboard.Path) ? JobDashboardPolicy
        : ContentSecurityPolicy;

    /// <summary>Outermost: set when the response starts, so that answers written by the exception handler (which clears headers) carry them too.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Chosen now, from the path as it arrived: by the time the answer starts, a branch such as the Hangfire
        // Dashboard's has moved its prefix into PathBase.
        var policy = PolicyFor(context.Request.Path);
        context.Response.OnStarting(static state =>
        {
            var (context, policy) = ((HttpContext, string))state;
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // Page addresses can hold identifiers (a NOMS number in /people/…): never sent to another site.
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        }, (context, policy));
        return next(context);
    });
}
