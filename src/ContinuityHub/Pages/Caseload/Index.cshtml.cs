using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;

namespace ContinuityHub.Pages.Caseload;

/// <summary><c>/caseload</c>: the start page of Probation (a placeholder until the page itself lands).</summary>
[Authorize(Roles = HubRoles.Probation)]
public sealed class IndexModel : HubPageModel
{
    public override string Title => "Caseload";

    public void OnGet()
    {
    }
}
