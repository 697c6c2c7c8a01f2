using ContinuityHub.Features.People;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;

namespace ContinuityHub.Pages.Caseload;

/// <summary>The probation pages: PROBATION only, each reading within the person's delivery units (<see cref="CallerScope"/>, the rule of every read path).</summary>
[Authorize(Roles = HubRoles.Probation)]
public abstract class ProbationPageModel : HubPageModel
{
    /// <summary>The delivery units the signed-in person may read.</summary>
    protected CallerScope Scope => CallerScope.Of(HubUser.From(HttpContext));
}
