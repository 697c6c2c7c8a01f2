using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;

namespace ContinuityHub.Pages.Releases;

/// <summary><c>/releases</c>: the start page of PrisonHealthcare (a placeholder until the page itself lands).</summary>
[Authorize(Roles = HubRoles.PrisonHealthcare)]
public sealed class IndexModel : HubPageModel
{
    public override string Title => "Releases";

    public void OnGet()
    {
    }
}
