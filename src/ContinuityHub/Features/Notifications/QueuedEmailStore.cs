using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// The outbox rows' state changes. A node claims due rows with <c>FOR UPDATE SKIP LOCKED</c> (two nodes never
/// claim the same row) and a lease (a node that dies mid-send frees its rows when the lease lapses); it records
/// an outcome only while it still holds the claim (its claim token).
/// </summary>
public sealed class QueuedEmailStore(HubDbContext db, TimeProvider clock)
{
    public async Task<List<QueuedEmail>> ClaimDueAsync(Guid claimToken, int batchSize, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var until = now + lease;
        return await db.Set<QueuedEmail>().FromSqlInterpolated($"""
            UPDATE notification_outbox AS n
               SET claim_token = {claimToken}, claimed_until = {until}
              FROM (SELECT c.id FROM notification_outbox AS c
                     WHERE c.state = 'pending' AND c.next_attempt_at <= {now}
                       AND (c.claimed_until IS NULL OR c.claimed_until < {now})
                     ORDER BY c.next_attempt_at, c.id
                     LIMIT {batchSize}
                     FOR UPDATE SKIP LOCKED) AS due
             WHERE n.id = due.id
            RETURNING n.*
            """).AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Marks the row as possibly at Notify before the POST, committed on its own, so whoever claims it next
    /// (after a crash, a stop or a timeout) knows to look the reference up first. False: the claim was lost.
    /// </summary>
    public async Task<bool> MarkInFlightAsync(QueuedEmail email, Guid claimToken, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return await Mine(email, claimToken).ExecuteUpdateAsync(s => s.SetProperty(e => e.InFlightSince, e => e.InFlightSince ?? now), cancellationToken) == 1;
    }

    public async Task<bool> MarkSentAsync(QueuedEmail email, Guid claimToken, Guid? notifyNotificationId, CancellationToken cancellationToken)
    {
        DateTimeOffset? sentAt = clock.GetUtcNow();
        return await Mine(email, claimToken).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.State, QueuedEmailStates.Sent)
            .SetProperty(e => e.Attempts, email.Attempts + 1)
            .SetProperty(e => e.NotifyNotificationId, notifyNotificationId)
            .SetProperty(e => e.SentAt, sentAt)
            .SetProperty(e => e.InFlightSince, (DateTimeOffset?)null)
            .SetProperty(e => e.ClaimToken, (Guid?)null)
            .SetProperty(e => e.ClaimedUntil, (DateTimeOffset?)null), cancellationToken) == 1;
    }

    /// <summary>Settles the row as failed or undeliverable, with the reason; it is not tried again.</summary>
    public async Task<bool> GiveUpAsync(QueuedEmail email, Guid claimToken, string state, string error, bool attempted, CancellationToken cancellationToken) =>
        await Mine(email, claimToken).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.State, state)
            .SetProperty(e => e.Attempts, email.Attempts + (attempted ? 1 : 0))
            .SetProperty(e => e.LastError, error)
            .SetProperty(e => e.InFlightSince, (DateTimeOffset?)null)
            .SetProperty(e => e.ClaimToken, (Guid?)null)
            .SetProperty(e => e.ClaimedUntil, (DateTimeOffset?)null), cancellationToken) == 1;

    /// <summary>Records a failed attempt and when to try again; the claim is released, the in-flight mark kept.</summary>
    public async Task<bool> RescheduleAsync(QueuedEmail email, Guid claimToken, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        await Mine(email, claimToken).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.Attempts, email.Attempts + 1)
            .SetProperty(e => e.LastError, error)
            .SetProperty(e => e.NextAttemptAt, nextAttemptAt)
            .SetProperty(e => e.ClaimToken, (Guid?)null)
            .SetProperty(e => e.ClaimedUntil, (DateTimeOffset?)null), cancellationToken) == 1;

    /// <summary>Gives a claimed row back (the node is stopping), so another node or a restart takes it at once; the in-flight mark stays.</summary>
    public async Task ReleaseAsync(QueuedEmail email, Guid claimToken, CancellationToken cancellationToken) =>
        await Mine(email, claimToken).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.ClaimToken, (Guid?)null)
            .SetProperty(e => e.ClaimedUntil, (DateTimeOffset?)null), cancellationToken);

    private IQueryable<QueuedEmail> Mine(QueuedEmail email, Guid claimToken) =>
        db.Set<QueuedEmail>().Where(e => e.Id == email.Id && e.ClaimToken == claimToken);
}
