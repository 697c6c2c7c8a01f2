using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ContinuityHub.Features.FollowUps;

public enum FollowUpRunResult
{
    /// <summary>No such follow-up.</summary>
    NotFound,
    /// <summary>Not claimed: already run (another batch or node, a second run), cancelled, or not due yet (moved later).</summary>
    NotClaimed,
    /// <summary>Claimed, but its §6 condition no longer held: nothing sent, nothing changed.</summary>
    Skipped,
    Done,
}

/// <summary>What one batch of the sweep found and did.</summary>
/// <param name="Selected">Due rows this batch took (locked); 0 when nothing was left to take.</param>
/// <param name="Ran">The follow-ups it claimed and ran (done or skipped).</param>
public sealed record FollowUpBatch(int Selected, IReadOnlyList<FollowUp> Ran);

/// <summary>
/// Runs follow-ups exactly once in effect, one or a whole batch per transaction. In the transaction it takes
/// the people's locks, claims the rows (<c>UPDATE … WHERE state = 'scheduled' AND fire_at &lt;= now</c>),
/// re-checks each §6 condition against the records as they are now and does the effects: queue the emails
/// and audit entries (one statement each for the batch); at window close also record the outcome not engaged
/// and fail the Task (a new referral version, pushed to providers). The claims commit with the effects or not
/// at all, so another batch, another node, a single run or a retry after a crash finds nothing to claim.
/// </summary>
public sealed class FollowUpRunner(HubDbContext db, EpisodeLedger ledger, INotificationOutbox outbox, FollowUpMessages messages,
    AuditTrail audit, TimeProvider clock, ILogger<FollowUpRunner> logger)
{
    private sealed record DueRow(Guid Id, string NomsNumber);

    /// <summary>Runs one follow-up (waiting for its person's lock if another change to the person is under way).</summary>
    public async Task<FollowUpRunResult> RunAsync(Guid followUpId, CancellationToken cancellationToken)
    {
        var located = await db.Set<FollowUp>().AsNoTracking().Where(f => f.Id == followUpId)
            .Join(db.Episodes, f => f.EpisodeId, e => e.Id, (f, e) => new { e.NomsNumber })
            .SingleOrDefaultAsync(cancellationToken);
        if (located is null) return FollowUpRunResult.NotFound;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ledger.LockPersonAsync(located.NomsNumber, cancellationToken);
        var claimed = await ClaimAsync([followUpId], cancellationToken);
        if (claimed.Count == 0) return FollowUpRunResult.NotClaimed;

        var followUp = (await RunClaimedAsync(claimed, cancellationToken)).Single();
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Follow-up {FollowUpId} {Checkpoint} of episode {EpisodeId}: {FollowUpState} ({FollowUpOutcome})",
            followUp.Id, followUp.Checkpoint, followUp.EpisodeId, followUp.State, followUp.Outcome);
        return followUp.State == FollowUpStates.Skipped ? FollowUpRunResult.Skipped : FollowUpRunResult.Done;
    }

    /// <summary>Runs up to <paramref name="limit"/> due follow-ups, oldest first, in one transaction (the sweep's batch).</summary>
    public Task<FollowUpBatch> RunDueAsync(int limit, CancellationToken cancellationToken) => RunBatchAsync(null, limit, cancellationToken);

    /// <summary>Runs those of <paramref name="followUpIds"/> that are due, in one transaction.</summary>
    /// <returns>The follow-ups this call claimed (now done or skipped).</returns>
    public async Task<IReadOnlyList<FollowUp>> RunManyAsync(IReadOnlyList<Guid> followUpIds, CancellationToken cancellationToken) =>
        followUpIds.Count == 0 ? [] : (await RunBatchAsync(followUpIds.ToArray(), followUpIds.Count, cancellationToken)).Ran;

    /// <summary>
    /// One batch: the due rows are locked <c>FOR UPDATE SKIP LOCKED</c> (another batch, on this node or another,
    /// takes the next ones instead of waiting), then their people's locks are tried, not waited for: whoever holds
    /// a person's lock (an intake, an event) may be about to change that person's follow-ups, whose rows this batch
    /// holds, so waiting could deadlock. Rows whose person is busy stay scheduled for a later batch.
    /// </summary>
    private async Task<FollowUpBatch> RunBatchAsync(Guid[]? ids, int limit, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var due = await (ids is null
            ? db.Database.SqlQuery<DueRow>($"""
                SELECT f.id AS "Id", e.noms_number AS "NomsNumber"
                  FROM follow_ups f JOIN episodes e ON e.id = f.episode_id
                 WHERE f.state = 'scheduled' AND f.fire_at <= {now}
                 ORDER BY f.fire_at LIMIT {limit}
                   FOR UPDATE OF f SKIP LOCKED
                """)
            : db.Database.SqlQuery<DueRow>($"""
                SELECT f.id AS "Id", e.noms_number AS "NomsNumber"
                  FROM follow_ups f JOIN episodes e ON e.id = f.episode_id
                 WHERE f.state = 'scheduled' AND f.fire_at <= {now} AND f.id = ANY({ids})
                 ORDER BY f.fire_at LIMIT {limit}
                   FOR UPDATE OF f SKIP LOCKED
                """)).ToListAsync(cancellationToken);
        if (due.Count == 0) return new FollowUpBatch(0, []);

        var people = due.Select(r => r.NomsNumber).Distinct().ToArray();
        var locked = (await db.Database.SqlQueryRaw<string>("""
            SELECT n AS "Value" FROM unnest(@people) AS n WHERE pg_try_advisory_xact_lock(@namespace, hashtext(n))
            """, new NpgsqlParameter("people", people), new NpgsqlParameter("namespace", EpisodeLedger.PersonLockNamespace))
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var claimed = await ClaimAsync(due.Where(r => locked.Contains(r.NomsNumber)).Select(r => r.Id).ToArray(), cancellationToken);
        if (claimed.Count == 0) return new FollowUpBatch(due.Count, []);

        var ran = await RunClaimedAsync(claimed, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Ran {Count} due follow-ups in one transaction ({Done} done, {Skipped} skipped)",
            ran.Count, ran.Count(f => f.State == FollowUpStates.Done), ran.Count(f => f.State == FollowUpStates.Skipped));
        return new FollowUpBatch(due.Count, ran);
    }

    /// <summary>The claim: only a scheduled row whose time has come; it commits with the effects or not at all.</summary>
    private async Task<List<Guid>> ClaimAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        if (ids.Length == 0) return [];
        var now = clock.GetUtcNow();
        return await db.Database.SqlQuery<Guid>($"""
            UPDATE follow_ups SET state = 'done', attempts = attempts + 1, ran_at = {now}, updated_at = {now}, last_error = NULL
             WHERE id = ANY({ids}) AND state = 'scheduled' AND fire_at <= {now}
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The condition and effect of each claimed follow-up, in due order (for one episode an earlier checkpoint runs
    /// before a later one, as it would have), written with one statement per table for the whole batch.
    /// </summary>
    private async Task<List<FollowUp>> RunClaimedAsync(List<Guid> claimed, CancellationToken cancellationToken)
    {
        var followUps = await db.Set<FollowUp>().AsNoTracking().Where(f => claimed.Contains(f.Id))
            .OrderBy(f => f.DueAt).ThenBy(f => f.Id).ToListAsync(cancellationToken);
        var episodeIds = followUps.Select(f => f.EpisodeId).Distinct().ToArray();
        // Episodes whose window closes here are changed through the ledger, so they (and their referrals) are
        // tracked; the others are only read.
        var closing = followUps.Where(f => f.Checkpoint == FollowUpCheckpoints.WindowClose).Select(f => f.EpisodeId).Distinct().ToArray();
        var reading = episodeIds.Except(closing).ToArray();
        var episodes = await db.Episodes.AsNoTracking().Include(e => e.Person).Where(e => reading.Contains(e.Id))
            .ToDictionaryAsync(e => e.Id, cancellationToken);
        var referrals = await db.Referrals.AsNoTracking().Where(r => reading.Contains(r.EpisodeId))
            .ToDictionaryAsync(r => r.EpisodeId, cancellationToken);
        if (closing.Length > 0)
        {
            foreach (var episode in await db.Episodes.Include(e => e.Person).Where(e => closing.Contains(e.Id)).ToListAsync(cancellationToken))
                episodes[episode.Id] = episode;
            foreach (var referral in await db.Referrals.Where(r => closing.Contains(r.EpisodeId)).ToListAsync(cancellationToken))
                referrals[referral.EpisodeId] = referral;
        }

        var emails = new List<OutboundEmail>();
        var audited = new List<(string Action, string ResourceType, string ResourceId)>();
        var today = LondonTime.Today(clock);
        foreach (var followUp in followUps)
            Apply(followUp, episodes[followUp.EpisodeId], referrals.GetValueOrDefault(followUp.EpisodeId), today, emails, audited);

        await outbox.EnqueueManyAsync(emails, cancellationToken);
        await audit.RecordManyAsync(audited, cancellationToken);
        await db.Database.ExecuteSqlRawAsync("""
            UPDATE follow_ups f SET state = u.state, outcome = u.outcome
              FROM unnest(@ids, @states, @outcomes) AS u(id, state, outcome) WHERE f.id = u.id
            """,
            [
                new NpgsqlParameter("ids", followUps.Select(f => f.Id).ToArray()),
                new NpgsqlParameter("states", followUps.Select(f => f.State).ToArray()),
                new NpgsqlParameter("outcomes", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = followUps.Select(f => f.Outcome).ToArray() },
            ],
            cancellationToken);
        // Through the ledger, so a closed window is a new episode and referral version and every observer
        // (provider push, this engine's planner) sees it in this same transaction.
        await ledger.SaveChangesAsync(cancellationToken);
        return followUps;
    }

    /// <summary>The checkpoint's effect on a claimed follow-up, or its skip when the §6 condition no longer holds.</summary>
    private void Apply(FollowUp followUp, Episode episode, Referral? referral, DateOnly today,
        List<OutboundEmail> emails, List<(string, string, string)> audited)
    {
        var checkpoint = FollowUpCheckpoints.Parse(followUp.Checkpoint);
        if (ConditionFails(checkpoint, episode, referral) is { } reason)
        {
            followUp.State = FollowUpStates.Skipped;
            followUp.Outcome = reason;
            return;
        }
        var queued = messages.For(checkpoint, episode, episode.Person!, referral, today);
        emails.AddRange(queued);
        followUp.Outcome = $"{queued.Count} emails queued";
        // The emails disclose identifiers to staff.
        audited.Add(($"follow-up.{followUp.Checkpoint}", "Episode", episode.Id.ToString()));
        if (checkpoint == FollowUpCheckpoint.WindowClose) CloseWindow(episode, referral, followUp);
    }

    /// <summary>Why the checkpoint's §6 condition no longer holds, from the current records; null when it holds.</summary>
    public static string? ConditionFails(FollowUpCheckpoint checkpoint, Episode episode, Referral? referral)
    {
        if (FollowUpPlanner.WhyNoFollowUps(episode) is { } closed) return closed;
        if (episode.EngagedOn is not null) return "engaged";
        return checkpoint switch
        {
            // "Referral not accepted": only a referral still waiting for the provider is chased.
            FollowUpCheckpoint.DayBeforeRelease or FollowUpCheckpoint.Day2Escalation when referral is null => "no referral",
            FollowUpCheckpoint.DayBeforeRelease or FollowUpCheckpoint.Day2Escalation when referral.TaskStatus != TaskStatuses.Requested
                => $"referral {referral.TaskStatus}",
            _ => null,
        };
    }

    private void CloseWindow(Episode episode, Referral? referral, FollowUp followUp)
    {
        // A new episode version; the referral's comes from the episode's status, which its Task shows.
        followUp.Outcome += episode.CloseWindow(referral, clock.GetUtcNow()) ? "; outcome not engaged; Task failed" : "; outcome not engaged";
    }

    /// <summary>
    /// Records a run that threw (its transaction rolled back, so the row is still scheduled): the error type,
    /// the attempt, and a retry after a backoff — or, after the last attempt, the state failed.
    /// </summary>
    public async Task RecordFailureAsync(Guid followUpId, Exception error, FollowUpOptions options, CancellationToken cancellationToken)
    {
        var followUp = await db.Set<FollowUp>().SingleOrDefaultAsync(f => f.Id == followUpId, cancellationToken);
        if (followUp is null || followUp.State != FollowUpStates.Scheduled) return;
        var now = clock.GetUtcNow();
        followUp.Attempts++;
        followUp.LastError = error.GetType().Name;
        followUp.UpdatedAt = now;
        followUp.PlanVersion++;
        if (followUp.Attempts >= options.MaxAttempts)
        {
            followUp.State = FollowUpStates.Failed;
            logger.LogError("Follow-up {FollowUpId} {Checkpoint} of episode {EpisodeId} failed {Attempts} times ({ExceptionType}); given up",
                followUp.Id, followUp.Checkpoint, followUp.EpisodeId, followUp.Attempts, followUp.LastError);
        }
        else
        {
            var delay = options.RetryDelay * Math.Pow(2, Math.Min(followUp.Attempts - 1, 20));
            followUp.FireAt = now + delay;
            logger.LogWarning("Follow-up {FollowUpId} {Checkpoint} of episode {EpisodeId} failed ({ExceptionType}), attempt {Attempts}; next at {FireAt:o}",
                followUp.Id, followUp.Checkpoint, followUp.EpisodeId, followUp.LastError, followUp.Attempts, followUp.FireAt);
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
