using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;

namespace ContinuityHub.Pages.Admin;

/// <summary><c>/admin</c>: ADMIN's start page, the way to what an administrator looks after.</summary>
[Authorize(Roles = HubRoles.Admin)]
public sealed class IndexModel : HubPageModel
{
    public override string Title => "Administration";

    public void OnGet()
    {
    }
}
