using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// Plans, re-plans and cancels an episode's follow-ups whenever the episode changes, whatever changed it
/// (intake, HMPPS event, provider action, the window-close follow-up itself): it runs inside the change's
/// own transaction (<see cref="EpisodeLedger.SaveChangesAsync"/>), so the plan always matches the committed
/// episode. It writes only follow_ups rows: the recurring Hangfire job (<see cref="FollowUpSweep"/>) reads the
/// due ones from the table itself, so there is nothing else to keep in line after the commit.
/// </summary>
public sealed class FollowUpPlanner(HubDbContext db, TimeProvider clock) : IEpisodeChangeObserver
{
    public const string PastWhenPlanned = "past when planned";

    public async Task OnEpisodeChangedAsync(Episode episode, Referral? referral, CancellationToken cancellationToken)
    {
        var followUps = db.Set<FollowUp>();
        // A new episode has no rows yet: no query on the intake's busiest path.
        var existing = db.Entry(episode).State == EntityState.Added
            ? followUps.Local.Where(f => f.EpisodeId == episode.Id).ToList()
            : await followUps.Where(f => f.EpisodeId == episode.Id).ToListAsync(cancellationToken);
        var cancelReason = WhyNoFollowUps(episode);
        if (cancelReason is not null && existing.Count == 0) return;

        var now = clock.GetUtcNow();
        foreach (var planned in FollowUpSchedule.For(episode.ReleaseDate))
        {
            // timestamptz takes UTC only (Npgsql refuses other offsets).
            var dueAt = planned.DueAt.ToUniversalTime();
            var code = FollowUpCheckpoints.Code(planned.Checkpoint);
            var row = existing.FirstOrDefault(f => f.Checkpoint == code);
            if (cancelReason is not null)
            {
                if (row is { State: FollowUpStates.Scheduled }) Change(row, now, FollowUpStates.Cancelled, cancelReason, row.DueAt);
                continue;
            }
            if (row is null)
            {
                row = new FollowUp
                {
                    Id = Guid.CreateVersion7(),
                    EpisodeId = episode.Id,
                    Checkpoint = code,
                    DueAt = dueAt,
                    FireAt = dueAt,
                    CreatedAt = now,
                    UpdatedAt = now,
                    PlanVersion = 1,
                };
                (row.State, row.Outcome) = InitialState(planned, now);
                followUps.Add(row);
            }
            else if (row.State == FollowUpStates.Scheduled && row.DueAt != dueAt)
            {
                // The release date moved: the open follow-up moves with it (and runs at once if already due).
                Change(row, now, FollowUpStates.Scheduled, null, dueAt);
            }
            else if (row.State == FollowUpStates.Cancelled)
            {
                // Wanted again (say, an exclusion that a late engagement date undid): planned afresh.
                var (state, outcome) = InitialState(planned, now);
                Change(row, now, state, outcome, dueAt);
            }
            // done, skipped and failed rows are history: a moved date does not make them run again.
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

    private void Change(FollowUp row, DateTimeOffset now, string state, string? outcome, DateTimeOffset dueAt)
    {
        row.State = state;
        row.Outcome = outcome;
        row.DueAt = dueAt;
        row.FireAt = dueAt;
        row.Attempts = state == FollowUpStates.Scheduled ? 0 : row.Attempts;
        row.UpdatedAt = now;
        row.PlanVersion++;
    }
}
