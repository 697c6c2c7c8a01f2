using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;

namespace ContinuityHub.Pages.Referrals;

/// <summary><c>/referrals</c>: the start page of TreatmentProvider (a placeholder until the page itself lands).</summary>
[Authorize(Roles = HubRoles.TreatmentProvider)]
public sealed class IndexModel : HubPageModel
{
    public override string Title => "Referrals";

    public void OnGet()
    {
    }
}
