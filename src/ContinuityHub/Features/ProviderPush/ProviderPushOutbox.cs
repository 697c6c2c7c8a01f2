using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.ProviderPush;

/// <summary>
/// The outbox table's state changes. A node claims due rows with <c>FOR UPDATE SKIP LOCKED</c> (so two nodes
/// never claim the same row) and a lease (so a node that dies mid-send frees its rows when the lease lapses);
/// it records an outcome only while it still holds the claim (its claim token).
/// </summary>
public sealed class ProviderPushOutbox(HubDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Claims up to <paramref name="batchSize"/> due rows for this node. A row waits while another version of
    /// the same referral is being sent, so one provider never gets two versions of a referral at once.
    /// </summary>
    public async Task<List<ProviderPush>> ClaimDueAsync(Guid claimToken, int batchSize, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var until = now + lease;
        return await db.Set<ProviderPush>().FromSqlInterpolated($"""
            UPDATE provider_pushes AS p
               SET claim_token = {claimToken}, claimed_until = {until}
              FROM (SELECT c.id FROM provider_pushes AS c
                     WHERE c.state = 'pending' AND c.next_attempt_at <= {now}
                       AND (c.claimed_until IS NULL OR c.claimed_until < {now})
                       AND NOT EXISTS (SELECT 1 FROM provider_pushes AS o
                                        WHERE o.referral_id = c.referral_id AND o.id <> c.id
                                          AND o.state = 'pending' AND o.claimed_until >= {now})
                     ORDER BY c.next_attempt_at, c.id
                     LIMIT {batchSize}
                     FOR UPDATE SKIP LOCKED) AS due
             WHERE p.id = due.id
            RETURNING p.*
            """).AsNoTracking().ToListAsync(cancellationToken);
    }

    public Task<bool> MarkSentAsync(ProviderPush push, Guid claimToken, CancellationToken cancellationToken) =>
        FinishAsync(push, claimToken, ProviderPushStates.Sent, push.Attempts + 1, push.LastError, sent: true, cancellationToken);

    public Task<bool> GiveUpAsync(ProviderPush push, Guid claimToken, string state, string? error, bool attempted, CancellationToken cancellationToken) =>
        FinishAsync(push, claimToken, state, push.Attempts + (attempted ? 1 : 0), error, sent: false, cancellationToken);

    /// <summary>Records a failed attempt and when to try again; the claim is released.</summary>
    public async Task<bool> RescheduleAsync(ProviderPush push, Guid claimToken, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        await db.Set<ProviderPush>().Where(p => p.Id == push.Id && p.ClaimToken == claimToken).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.Attempts, push.Attempts + 1)
            .SetProperty(p => p.LastError, error)
            .SetProperty(p => p.NextAttemptAt, nextAttemptAt)
            .SetProperty(p => p.ClaimToken, (Guid?)null)
            .SetProperty(p => p.ClaimedUntil, (DateTimeOffset?)null), cancellationToken) == 1;

    /// <summary>Gives a claimed row back untouched (the node is stopping), so another node or a restart sends it at once.</summary>
    public async Task ReleaseAsync(ProviderPush push, Guid claimToken, CancellationToken cancellationToken) =>
        await db.Set<ProviderPush>().Where(p => p.Id == push.Id && p.ClaimToken == claimToken).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.ClaimToken, (Guid?)null)
            .SetProperty(p => p.ClaimedUntil, (DateTimeOffset?)null), cancellationToken);

    private async Task<bool> FinishAsync(ProviderPush push, Guid claimToken, string state, int attempts, string? error, bool sent, CancellationToken cancellationToken)
    {
        DateTimeOffset? sentAt = sent ? clock.GetUtcNow() : null;
        return await db.Set<ProviderPush>().Where(p => p.Id == push.Id && p.ClaimToken == claimToken).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.State, state)
            .SetProperty(p => p.Attempts, attempts)
            .SetProperty(p => p.LastError, error)
            .SetProperty(p => p.SentAt, sentAt)
            .SetProperty(p => p.ClaimToken, (Guid?)null)
            .SetProperty(p => p.ClaimedUntil, (DateTimeOffset?)null), cancellationToken) == 1;
    }
}
