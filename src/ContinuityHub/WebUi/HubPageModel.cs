using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ContinuityHub.WebUi;

/// <summary>
/// The base of every page model: the page's title (the layout prefixes "Error: " while the form has problems,
/// as GOV.UK pages do) and the form's problems.
/// </summary>
public abstract class HubPageModel : PageModel
{
    public virtual string Title => "ContinuityHub";

    public FormErrors Errors { get; } = new();

    /// <summary>
    /// A POST (or other change) that names no handler of the page (a missing or unknown <c>?handler=</c>) is 405:
    /// Razor Pages would otherwise render the page without running any handler, with its model never loaded.
    /// </summary>
    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        if (context.HandlerMethod is null && !HttpMethods.IsGet(Request.Method) && !HttpMethods.IsHead(Request.Method))
            context.Result = new StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
    }

    /// <summary>The page again with its problems, answered 400 (nothing was written).</summary>
    protected PageResult PageWithErrors()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
