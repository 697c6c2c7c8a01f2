using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Account;

/// <summary>
/// <c>/signed-out</c>: after signing out, and when a session ended (8 hours, or 8 hours without using the
/// service) while the person was away: they are told so, instead of being dropped on a sign-in form.
/// </summary>
[AllowAnonymous]
public sealed class SignedOutModel : HubPageModel
{
    public const string Path = "/signed-out";

    public override string Title => "You have been signed out";

    /// <summary>The session ended by itself (rather than by the person signing out).</summary>
    public bool Expired { get; private set; }

    /// <summary>Where "Sign in again" goes: the page they were on (a local path only).</summary>
    public string SignInAgain { get; private set; } = "/";

    public void OnGet([FromQuery] string? reason, [FromQuery] string? returnUrl)
    {
        Expired = reason == "expired";
        if (LocalPath.IsLocal(returnUrl)) SignInAgain = returnUrl!;
    }
}
