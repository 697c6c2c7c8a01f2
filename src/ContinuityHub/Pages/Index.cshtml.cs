using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages;

/// <summary><c>/</c>: sends a signed-in person to their role's start page (signing in first when needed).</summary>
public sealed class IndexModel : HubPageModel
{
    public override string Title => "No pages for your role";

    public IActionResult OnGet()
    {
        var home = UiNavigation.HomeFor(User);
        return home == UiNavigation.NoPages ? Page() : Redirect(home);
    }
}
