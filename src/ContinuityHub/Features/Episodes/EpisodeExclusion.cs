using ContinuityHub.Data;

namespace ContinuityHub.Features.Episodes;

/// <summary>
/// The exclusion rule of contract §7 in one place: an event excludes an episode only when the person had
/// not engaged before it (an engagement on the event's own day still counts as engaged).
/// </summary>
public static class EpisodeExclusion
{
    public static bool TryExclude(Episode episode, string reason, DateOnly date)
    {
        if (episode.EngagedOn is { } engaged && engaged <= date) return false;
        if (episode.Status == EpisodeStatus.Excluded && episode.ExclusionDate <= date) return false;
        episode.Status = EpisodeStatus.Excluded;
        episode.ExclusionReason = reason;
        episode.ExclusionDate = date;
        return true;
    }
}
