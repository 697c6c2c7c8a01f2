using ContinuityHub.Data;

namespace ContinuityHub.Features.Episodes;

/// <summary>
/// Something that must follow every change to an episode or its referral — re-planning follow-ups, queueing
/// a provider push — whatever caused the change (a notification, an HMPPS event, a provider's action, late
/// data). <see cref="EpisodeLedger.SaveChangesAsync"/> calls every registered observer for each episode
/// touched in the unit of work, just before it saves, so what an observer adds to the shared
/// <see cref="HubDbContext"/> commits in the same transaction as the change itself (or not at all).
/// </summary>
public interface IEpisodeChangeObserver
{
    /// <param name="episode">The episode as it will be saved.</param>
    /// <param name="referral">Its referral, when it has one (new, changed or unchanged).</param>
    Task OnEpisodeChangedAsync(Episode episode, Referral? referral, CancellationToken cancellationToken);
}
