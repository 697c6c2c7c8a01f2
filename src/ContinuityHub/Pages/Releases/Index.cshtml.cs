using ContinuityHub.Features.Releases;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Releases;

/// <summary>
/// <c>/releases</c>, the prison healthcare start page: "Releases from my prisons", the next and the last
/// <see cref="PrisonReleases.WindowDays"/> days, each with its referral state and whether the provider has
/// accepted (<see cref="PrisonReleases"/>, audited). <c>?prison=</c> narrows to one of the caller's prisons;
/// any other prison is a 403 page.
/// </summary>
[Authorize(Roles = HubRoles.PrisonHealthcare)]
public sealed class IndexModel(PrisonReleases releases) : HubPageModel
{
    public override string Title => "Releases from your prisons";

    public PrisonReleaseList List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync([FromQuery] string? prison, CancellationToken cancellationToken)
    {
        var list = await releases.ListAsync(HubUser.From(HttpContext), string.IsNullOrWhiteSpace(prison) ? null : prison, cancellationToken);
        if (list is null) return StatusCode(StatusCodes.Status403Forbidden);
        List = list;
        return Page();
    }
}
