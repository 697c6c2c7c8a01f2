using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Dev;

/// <summary>
/// <c>/dev/signin</c>: development mode only (<see cref="DevSignIn"/>). Elsewhere the page does not exist for any
/// request, so the anti-forgery token is checked here, after that, rather than by the filter that runs first.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class SignInModel(IAntiforgery antiforgery) : HubPageModel
{
    public override string Title => "Sign in (development)";

    public DevSignIn.Form Input { get; private set; } = new();

    public IActionResult OnGet([FromQuery] string? returnUrl)
    {
        if (!DevSignIn.IsAvailable(HttpContext.RequestServices)) return NotFound();
        Input.ReturnUrl = returnUrl;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromForm] DevSignIn.Form input)
    {
        if (!DevSignIn.IsAvailable(HttpContext.RequestServices)) return NotFound();
        if (!await antiforgery.IsRequestValidAsync(HttpContext)) return BadRequest();
        Input = input;
        foreach (var (field, message) in DevSignIn.Check(Input).All) Errors.Add(field, message);
        if (Errors.Any) return PageWithErrors();

        var principal = DevSignIn.Principal(Input);
        await HttpContext.SignInAsync(UiAuthentication.CookieScheme, principal);
        return Redirect(LocalPath.IsLocal(Input.ReturnUrl) ? Input.ReturnUrl! : UiNavigation.HomeFor(principal));
    }
}
