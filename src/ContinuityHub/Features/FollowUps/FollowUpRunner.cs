using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Features.Referrals;
using ContinuityHub.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.FollowUps;

public enum FollowUpRunResult
{
    /// <summary>The row was not there (the episode's plan changed since the trigger was made).</summary>
    NotFound,
    /// <summary>Not claimed: already run (another node, a second firing), cancelled, or not due yet (moved later).</summary>
    NotClaimed,
    /// <summary>Claimed, but its §6 condition no longer held: nothing sent, nothing changed.</summary>
    Skipped,
    Done,
}

/// <summary>
/// Runs one follow-up exactly once in effect. In one transaction it takes the person's lock, claims the row
/// (<c>UPDATE … WHERE state = 'scheduled' AND fire_at &lt;= now</c>), re-checks the §6 condition against the
/// records as they are now and does the effect: queue the emails; at window close also record the outcome
/// not engaged and fail the Task (a new referral version, pushed to providers). The claim commits with the
/// effect or not at all, so a second firing, another node or a retry after a crash finds nothing to claim.
/// </summary>
public sealed class FollowUpRunner(HubDbContext db, EpisodeLedger ledger, INotificationOutbox outbox, FollowUpMessages messages,
    AuditTrail audit, TimeProvider clock, ILogger<FollowUpRunner> logger)
{
    public async Task<FollowUpRunResult> RunAsync(Guid followUpId, CancellationToken cancellationToken)
    {
        var located = await db.Set<FollowUp>().AsNoTracking().Where(f => f.Id == followUpId)
            .Join(db.Episodes, f => f.EpisodeId, e => e.Id, (f, e) => new { e.NomsNumber })
            .SingleOrDefaultAsync(cancellationToken);
        if (located is null) return FollowUpRunResult.NotFound;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ledger.LockPersonAsync(located.NomsNumber, cancellationToken);
        var now = clock.GetUtcNow();
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE follow_ups SET state = 'done', attempts = attempts + 1, ran_at = {now}, updated_at = {now}
             WHERE id = {followUpId} AND state = 'scheduled' AND fire_at <= {now}
            """, cancellationToken);
        if (claimed == 0) return FollowUpRunResult.NotClaimed;

        var followUp = await db.Set<FollowUp>().SingleAsync(f => f.Id == followUpId, cancellationToken);
        var episode = await db.Episodes.Include(e => e.Person).SingleAsync(e => e.Id == followUp.EpisodeId, cancellationToken);
        var referral = await db.Referrals.SingleOrDefaultAsync(r => r.EpisodeId == episode.Id, cancellationToken);

        var result = Apply(followUp, episode, referral);
        followUp.LastError = null;
        // Through the ledger, so a closed window is a new episode and referral version and every observer
        // (provider push, this engine's planner) sees it in this same transaction.
        await ledger.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Follow-up {FollowUpId} {Checkpoint} of episode {EpisodeId}: {FollowUpState} ({FollowUpOutcome})",
            followUp.Id, followUp.Checkpoint, followUp.EpisodeId, followUp.State, followUp.Outcome);
        return result;
    }

    /// <summary>
    /// Runs many due follow-ups in one transaction — the catch-up after an outage, when thousands are overdue at
    /// once and one Quartz firing each would take minutes. The same claim (<c>state = 'scheduled' AND fire_at &lt;=
    /// now</c>) decides, row by row, so a follow-up run here is not run again by its trigger, and one its trigger
    /// ran first is not run here. The people's locks are taken in a fixed order (NOMS number).
    /// </summary>
    /// <returns>The follow-ups this call claimed (now done or skipped).</returns>
    public async Task<IReadOnlyList<FollowUp>> RunManyAsync(IReadOnlyList<Guid> followUpIds, CancellationToken cancellationToken)
    {
        if (followUpIds.Count == 0) return [];
        var ids = followUpIds.ToArray();
        var people = await db.Set<FollowUp>().AsNoTracking().Where(f => ids.Contains(f.Id))
            .Join(db.Episodes, f => f.EpisodeId, e => e.Id, (f, e) => e.NomsNumber)
            .Distinct().ToListAsync(cancellationToken);
        if (people.Count == 0) return [];
        people.Sort(StringComparer.Ordinal);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var nomsNumbers = people.ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"SELECT pg_advisory_xact_lock({EpisodeLedger.PersonLockNamespace}, hashtext(n)) FROM unnest({nomsNumbers}) WITH ORDINALITY AS u(n, i) ORDER BY i",
            cancellationToken);
        var now = clock.GetUtcNow();
        var claimed = await db.Database.SqlQuery<Guid>($"""
            UPDATE follow_ups SET state = 'done', attempts = attempts + 1, ran_at = {now}, updated_at = {now}
             WHERE id = ANY({ids}) AND state = 'scheduled' AND fire_at <= {now}
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        if (claimed.Count == 0) return [];

        var followUps = await db.Set<FollowUp>().Where(f => claimed.Contains(f.Id)).ToListAsync(cancellationToken);
        var episodeIds = followUps.Select(f => f.EpisodeId).Distinct().ToArray();
        var episodes = await db.Episodes.Include(e => e.Person).Where(e => episodeIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        var referrals = await db.Referrals.Where(r => episodeIds.Contains(r.EpisodeId)).ToDictionaryAsync(r => r.EpisodeId, cancellationToken);
        // The outbox looks at DbSet.Local for each email, and with automatic change detection each look would
        // compare every tracked entity of the batch: quadratic. Changes are detected once, before the save.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            // In due order, so that for one episode an earlier checkpoint runs before a later one, as it would have.
            foreach (var followUp in followUps.OrderBy(f => f.DueAt))
            {
                Apply(followUp, episodes[followUp.EpisodeId], referrals.GetValueOrDefault(followUp.EpisodeId));
                followUp.LastError = null;
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
        db.ChangeTracker.DetectChanges();
        await ledger.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Caught up {Count} overdue follow-ups in one transaction ({Done} done, {Skipped} skipped)",
            followUps.Count, followUps.Count(f => f.State == FollowUpStates.Done), followUps.Count(f => f.State == FollowUpStates.Skipped));
        return followUps;
    }

    /// <summary>The checkpoint's effect on a claimed follow-up, or its skip when the §6 condition no longer holds.</summary>
    private FollowUpRunResult Apply(FollowUp followUp, Episode episode, Referral? referral)
    {
        var checkpoint = FollowUpCheckpoints.Parse(followUp.Checkpoint);
        if (ConditionFails(checkpoint, episode, referral) is { } reason)
        {
            followUp.State = FollowUpStates.Skipped;
            followUp.Outcome = reason;
            return FollowUpRunResult.Skipped;
        }
        var emails = messages.For(checkpoint, episode, episode.Person!, referral, LondonTime.Today(clock));
        foreach (var email in emails) outbox.Enqueue(email);
        followUp.Outcome = $"{emails.Count} emails queued";
        audit.Record($"follow-up.{followUp.Checkpoint}", "Episode", episode.Id.ToString());
        if (checkpoint == FollowUpCheckpoint.WindowClose) CloseWindow(episode, referral, followUp);
        return FollowUpRunResult.Done;
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
        episode.Status = EpisodeStatus.NotEngaged;
        if (referral is not null && ReferralStateMachine.HubMay(referral.TaskStatus, TaskStatuses.Failed))
        {
            referral.TaskStatus = TaskStatuses.Failed;
            followUp.Outcome += "; outcome not engaged; Task failed";
        }
        else
        {
            followUp.Outcome += "; outcome not engaged";
        }
        // The ledger bumps the referral's version because the episode's status (shown on the Task) changed.
        ledger.Touch(episode);
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
        followUp.TriggerPending = true;
        db.Entry(followUp).Property(f => f.TriggerPending).IsModified = true;
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
