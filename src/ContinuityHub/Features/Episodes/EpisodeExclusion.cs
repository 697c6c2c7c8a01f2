using ContinuityHub.Data;
using ContinuityHub.Features.Referrals;

namespace ContinuityHub.Features.Episodes;

/// <summary>
/// The exclusion rule of contract §7 in one place, for every path that records an exclusion (HMPPS events,
/// <c>POST /api/v1/episodes/{id}/exclusion</c>, its page): an event excludes an episode only when the person
/// had not engaged before it (an engagement on the event's own day still counts as engaged). An earlier
/// exclusion stands against a later one. An applied exclusion ends the referral: the hub sets its Task
/// <c>cancelled</c> (contract §5), also after the window closed as <c>failed</c> (a late exclusion still excludes).
/// </summary>
public static class EpisodeExclusion
{
    /// <returns>True when the exclusion was applied (the episode changed); false when the rule or an earlier exclusion kept it out.</returns>
    public static bool TryExclude(Episode episode, Referral? referral, string reason, DateOnly date)
    {
        if (!Applies(episode, date)) return false;
        episode.Status = EpisodeStatus.Excluded;
        episode.ExclusionReason = reason;
        episode.ExclusionDate = date;
        if (referral is not null && ReferralStateMachine.HubMay(referral.TaskStatus, TaskStatuses.Cancelled))
            referral.TaskStatus = TaskStatuses.Cancelled;
        return true;
    }

    /// <summary>Whether an exclusion dated <paramref name="date"/> would change the episode.</summary>
    public static bool Applies(Episode episode, DateOnly date) =>
        !EngagedOnOrBefore(episode, date) && !(episode.Status == EpisodeStatus.Excluded && episode.ExclusionDate <= date);

    /// <summary>The person engaged on or before <paramref name="date"/>: an event that day does not exclude them.</summary>
    public static bool EngagedOnOrBefore(Episode episode, DateOnly date) => episode.EngagedOn is { } engaged && engaged <= date;
}
