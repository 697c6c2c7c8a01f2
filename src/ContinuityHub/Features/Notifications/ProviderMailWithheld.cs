using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// When a person withdraws consent, emails to the provider about them that are still waiting in the outbox are
/// withheld (state <c>withheld</c>), in the same transaction as the withdrawal: nothing about the person
/// reaches the provider once consent is gone (<see cref="ProviderConsent"/>). Emails to the prison team and
/// probation are not affected.
/// </summary>
public sealed class ProviderMailWithheld(HubDbContext db) : IEpisodeChangeObserver
{
    public async Task OnEpisodeChangedAsync(Episode episode, Referral? referral, CancellationToken cancellationToken)
    {
        if (!episode.ConsentWithdrawn) return;
        await db.Set<QueuedEmail>()
            .Where(e => e.EpisodeId == episode.Id && e.RecipientRole == RecipientRoles.Provider && e.State == QueuedEmailStates.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.State, QueuedEmailStates.Withheld)
                .SetProperty(e => e.LastError, NotificationErrors.ConsentWithdrawn), cancellationToken);
    }
}
