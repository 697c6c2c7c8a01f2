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

    /// <summary>The page again with its problems, answered 400 (nothing was written).</summary>
    protected PageResult PageWithErrors()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
