using ContinuityHub.Features.Releases;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Releases.Notifications;

/// <summary>
/// <c>/releases/notifications/{notificationId}</c>: what a notification led to (episode, referral, provider,
/// or why no referral was made), for those who may see it; another prison's notification is a 403 page.
/// </summary>
[Authorize(Roles = $"{HubRoles.PrisonHealthcare},{HubRoles.Probation}")]
public sealed class OutcomeModel(NotificationOutcomes outcomes) : HubPageModel
{
    [FromRoute] public Guid NotificationId { get; set; }

    public override string Title => View?.ReferralOutcome == ReferralOutcomes.Created ? "Release notified: referral sent" : "Release notified";

    public NotificationOutcomeView? View { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        switch (await outcomes.FindAsync(NotificationId, HubUser.From(HttpContext), cancellationToken))
        {
            case NotificationOutcomeLookup.Found found:
                View = found.View;
                return Page();
            case NotificationOutcomeLookup.Forbidden:
                return StatusCode(StatusCodes.Status403Forbidden);
            default:
                return NotFound();
        }
    }
}
