namespace ContinuityHub.Security;

/// <summary>
/// Headers every response carries, API and pages alike, errors included. The pages are server-rendered with no
/// script at all, one stylesheet served by the hub (<c>/assets/hub.css</c>) and inline SVG, so the policy allows
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

    /// <summary>Outermost: set when the response starts, so that answers written by the exception handler (which clears headers) carry them too.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(Hosting.OpenApiSetup.ReferencePath) ? ApiReferencePolicy : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // Page addresses can hold identifiers (a NOMS number in /people/…): never sent to another site.
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
