using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ContinuityHub.Pages.Errors;

/// <summary>
/// The page for an error status of a page request (<see cref="WebPages.UseWebPages"/> re-executes here): it
/// names the problem and what to do, and shows nothing of the record that was asked for.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class StatusModel : HubPageModel
{
    public int Code { get; private set; }

    public override string Title => Code switch
    {
        StatusCodes.Status401Unauthorized => "Sign-in is not set up",
        StatusCodes.Status403Forbidden => "You do not have access to this page",
        StatusCodes.Status404NotFound => "Page not found",
        StatusCodes.Status400BadRequest => "There is a problem with this request",
        StatusCodes.Status405MethodNotAllowed => "There is a problem with this request",
        _ => "Sorry, there is a problem with the service",
    };

    public IActionResult OnGet() => Show();

    /// <summary>A refused POST (an expired form, a bad token) is re-executed as a POST.</summary>
    public IActionResult OnPost() => Show();

    private PageResult Show()
    {
        // Asked for directly rather than re-executed: there is no such page. Re-executed, the status is the original
        // request's: a re-executed POST binds its form first, and a form that cannot be read would leave code 0.
        Code = HttpContext.Features.Get<IStatusCodeReExecuteFeature>() is { } reExecuted ? reExecuted.OriginalStatusCode : StatusCodes.Status404NotFound;
        Response.StatusCode = Code;
        return Page();
    }
}
