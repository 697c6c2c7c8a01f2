using ContinuityHub.Security;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.WebUi;

/// <summary>
/// The staff web service: server-rendered Razor Pages under <c>Pages/</c> on one GOV.UK layout, the design
/// systems' assets from <c>wwwroot</c> (built by Frontend.targets), and GOV.UK-style pages for 403, 404 and
/// the other errors of a page request. APIs keep their JSON problems (<see cref="UiAuthentication.IsUiPath"/>).
/// </summary>
public static class WebPages
{
    public const string ErrorPath = "/error";

    public static void AddWebPages(this WebApplicationBuilder builder) =>
        builder.Services.AddRazorPages(options =>
            // Pages show people's care: never kept by a shared cache or the browser.
            options.Conventions.ConfigureFilter(new ResponseCacheAttribute { NoStore = true, Location = ResponseCacheLocation.None }));

    /// <summary>
    /// The error pages for page requests, registered before the exception handler so they also dress its answers: an
    /// exception on a page leaves a bare 5xx (<see cref="Errors.ProblemDetailsExceptionHandler"/>), which is re-executed
    /// here as "Sorry, there is a problem with the service", like a 403 or 404 from a page.
    /// </summary>
    public static void UseWebPageErrors(this WebApplication app)
    {
        // Registered on the application itself (a UseWhen branch could not route the re-executed request), and
        // switched off for the APIs, whose status codes keep their JSON problems.
        app.UseStatusCodePagesWithReExecute(ErrorPath + "/{0}");
        app.Use((context, next) =>
        {
            if (!UiAuthentication.IsUiPath(context.Request.Path) && context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            return next(context);
        });
    }

    /// <summary>Static assets (anonymous, before sign-in); the APIs' JSON status pages (registered before this) kept off page requests.</summary>
    public static void UseWebPages(this WebApplication app)
    {
        app.UseStaticFiles();
        app.Use((context, next) =>
        {
            if (UiAuthentication.IsUiPath(context.Request.Path) && context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            return next(context);
        });
    }

    public static void MapWebPages(this WebApplication app) => app.MapRazorPages();
}
