using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// Plans, re-plans and cancels an episode's follow-ups whenever the episode changes, whatever changed it
/// (intake, HMPPS event, provider action, the window-close follow-up itself): it runs inside the change's
/// own transaction (<see cref="EpisodeLedger.SaveChangesAsync"/>), so the plan always matches the committed
/// episode. A new episode's rows are added to the unit of work; an existing episode's plan is changed with one
/// set-based statement (the same rules, applied to the rows where they stand). It writes only follow_ups rows: the recurring Hangfire job (<see cref="FollowUpSweep"/>) reads the
/// due ones from the table itself, so there is nothing else to keep in line after the commit.
/// </summary>
public sealed class FollowUpPlanner(HubDbContext db, QueuedStatements queued, TimeProvider clock) : IEpisodeChangeObserver
{
    public const string PastWhenPlanned = "past when planned";

    public Task OnEpisodeChangedAsync(Episode episode, Referral? referral, CancellationToken cancellationToken)
    {
        var cancelReason = WhyNoFollowUps(episode);
        var now = clock.GetUtcNow();
        var schedule = FollowUpSchedule.For(episode.ReleaseDate);
        if (db.Entry(episode).State == EntityState.Added)
        {
            PlanNew(episode, cancelReason, schedule, now);
            return Task.CompletedTask;
        }
        // An existing episode: one statement instead of reading its rows and writing each changed one
        // (docs/performance.md, HMPPS events path), queued to travel with the unit of work's write, in its transaction.
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Follow-ups are re-planned in the caller's transaction; begin one first.");
        var codes = schedule.Select(p => FollowUpCheckpoints.Code(p.Checkpoint)).ToArray();
        if (cancelReason is not null)
        {
            // Open follow-ups are cancelled where they stand; done, skipped and failed ones are history.
            queued.Add("""
                UPDATE follow_ups
                   SET state = $1, outcome = $2, fire_at = due_at, updated_at = $3, plan_version = plan_version + 1
                 WHERE episode_id = $4 AND state = $5 AND checkpoint = ANY($6)
                """,
                FollowUpStates.Cancelled, cancelReason, now, episode.Id, FollowUpStates.Scheduled, codes);
            return Task.CompletedTask;
        }
        // A missing checkpoint is planned as for a new episode. An open one whose date moved moves with it (and runs at
        // once if already due). A cancelled one is wanted again (say, an exclusion a late engagement date undid): planned
        // afresh. Done, skipped and failed rows are history: a moved date does not make them run again.
        var initial = schedule.Select(p => InitialState(p, now)).ToArray();
        queued.Add("""
            INSERT INTO follow_ups AS f (id, episode_id, checkpoint, due_at, fire_at, state, outcome, attempts, plan_version, created_at, updated_at)
            SELECT p.id, $1, p.checkpoint, p.due_at, p.due_at, p.state, p.outcome, 0, 1, $2, $2
              FROM unnest($3, $4, $5, $6, $7) AS p(id, checkpoint, due_at, state, outcome)
            ON CONFLICT (episode_id, checkpoint) DO UPDATE
               SET state = CASE WHEN f.state = $8 THEN f.state ELSE excluded.state END,
                   outcome = CASE WHEN f.state = $8 THEN NULL ELSE excluded.outcome END,
                   due_at = excluded.due_at, fire_at = excluded.due_at,
                   attempts = CASE WHEN f.state = $8 OR excluded.state = $8 THEN 0 ELSE f.attempts END,
                   updated_at = excluded.updated_at, plan_version = f.plan_version + 1
             WHERE (f.state = $8 AND f.due_at <> excluded.due_at) OR f.state = $9
            """,
            episode.Id, now,
            schedule.Select(_ => Guid.CreateVersion7()).ToArray(),
            codes,
            // timestamptz takes UTC only (Npgsql refuses other offsets).
            schedule.Select(p => p.DueAt.ToUniversalTime()).ToArray(),
            initial.Select(i => i.State).ToArray(),
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = initial.Select(i => i.Outcome).ToArray() },
            FollowUpStates.Scheduled, FollowUpStates.Cancelled);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A new episode's plan, added to the unit of work and inserted with the episode (no query on the intake's busiest
    /// path). Rows an earlier, failed save of this same unit of work planned for it are replaced.
    /// </summary>
    private void PlanNew(Episode episode, string? cancelReason, IReadOnlyList<PlannedFollowUp> schedule, DateTimeOffset now)
    {
        var followUps = db.Set<FollowUp>();
        foreach (var earlier in followUps.Local.Where(f => f.EpisodeId == episode.Id).ToList()) db.Entry(earlier).State = EntityState.Detached;
        if (cancelReason is not null) return;
        foreach (var planned in schedule)
        {
            var dueAt = planned.DueAt.ToUniversalTime();
            var (state, outcome) = InitialState(planned, now);
            followUps.Add(new FollowUp
            {
                Id = Guid.CreateVersion7(),
                EpisodeId = episode.Id,
                Checkpoint = FollowUpCheckpoints.Code(planned.Checkpoint),
                DueAt = dueAt,
                FireAt = dueAt,
                State = state,
                Outcome = outcome,
                CreatedAt = now,
                UpdatedAt = now,
                PlanVersion = 1,
            });
        }
    }

    /// <summary>Why an episode has no open follow-ups, or null when it should have them.</summary>
    public static string? WhyNoFollowUps(Episode episode) => episode.Status switch
    {
        EpisodeStatus.Engaged => "engaged",
        EpisodeStatus.Excluded => "excluded",
        EpisodeStatus.NotEngaged => "window closed",
        _ when !episode.HasTreatmentNeed => "no treatment need",
        _ => null,
    };

    /// <summary>
    /// A reminder whose time had already passed when the hub first heard of the release (a release notified
    /// three weeks late, say) would be stale news: it is recorded as skipped. The window close always runs,
    /// because it decides the outcome.
    /// </summary>
    private static (string State, string? Outcome) InitialState(PlannedFollowUp planned, DateTimeOffset now) =>
        planned.DueAt <= now && planned.Checkpoint != FollowUpCheckpoint.WindowClose
            ? (FollowUpStates.Skipped, PastWhenPlanned)
            : (FollowUpStates.Scheduled, null);
}
