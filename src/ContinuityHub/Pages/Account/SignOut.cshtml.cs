using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Account;

/// <summary>
/// <c>/signout</c>: a POST with the anti-forgery token ends the session (another site cannot sign a person out);
/// a GET (a bookmark, say) asks first.
/// </summary>
[AllowAnonymous]
public sealed class SignOutModel : HubPageModel
{
    public override string Title => "Sign out";

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? Page() : Redirect(SignedOutModel.Path);

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(UiAuthentication.CookieScheme);
        return Redirect(SignedOutModel.Path);
    }
}
