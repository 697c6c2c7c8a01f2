using ContinuityHub.Data;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Features.Measure;
using ContinuityHub.Features.Referrals;
using ContinuityHub.Mappings;

namespace ContinuityHub.Features.People;

public sealed record ProviderView(string Ods, string? Name);

/// <summary>The answer of <c>GET /api/v1/people/{personId}/episodes</c>.</summary>
public sealed record PersonEpisodes(string PersonId, IReadOnlyList<EpisodeStatusView> Episodes);

/// <summary>The answer of <c>GET /api/v1/caseload</c>.</summary>
public sealed record Caseload(string? Pdu, string? Status, DateOnly AsOf, int Count, int Page, int Limit, bool HasMore, IReadOnlyList<EpisodeStatusView> Episodes);

public sealed record FollowUpView(string Checkpoint, DateOnly Date, DateTimeOffset DueAt);

/// <summary>
/// Where one episode stands, as a probation practitioner needs to see it (issue #5 item 4). Identifiers
/// and dates only: names, dates of birth and NHS numbers stay in the FHIR Patient.
/// </summary>
public sealed record EpisodeStatusView(
    Guid EpisodeId,
    string NomsNumber,
    string? Crn,
    string? PduCode,
    DateOnly ReleaseDate,
    bool ReleaseDateConfirmed,
    int DaysSinceRelease, // negative while the release is still ahead

    DateOnly Deadline,
    int DaysLeft,
    ProviderView? Provider,
    Guid? ReferralId,
    string ReferralStatus, // the Task status, or "no referral (…)" saying why there is none

    bool Accepted,
    DateOnly? EngagedOn,
    string Outcome,
    bool AtRisk,
    IReadOnlyList<FollowUpView> OpenFollowUps,
    string? PrisonCode,
    string? ExclusionReason, // the exclusion on the episode (died, returnedToCustody, removedFromUk, hospital), whether the measure counts it or not
    DateOnly? ExclusionDate)
{
    /// <summary>Accepted and every state after it: the provider has taken the referral on.</summary>
    public static bool IsAccepted(Referral? referral) =>
        referral?.TaskStatus is TaskStatuses.Accepted or TaskStatuses.InProgress or TaskStatuses.Completed;

    /// <summary>Pending in the measure, and either nobody has accepted the referral or a week or less is left.</summary>
    public const int AtRiskDaysLeft = 7;

    public static EpisodeStatusView Of(Episode episode, Person person, Referral? referral, ReferenceData mappings, DateTimeOffset now, DateOnly today)
    {
        // The outcome comes from the measure's own rules, never a second copy of them.
        var outcome = EngagementRules.Classify(EngagementFacts.Of(episode), today);
        var accepted = IsAccepted(referral);
        var daysLeft = FollowUpSchedule.DaysLeft(episode.ReleaseDate, today);
        var providerOds = referral?.ProviderOds ?? episode.ProviderOds;
        return new EpisodeStatusView(
            episode.Id,
            episode.NomsNumber,
            person.Crn,
            episode.PduCode,
            episode.ReleaseDate,
            episode.ReleaseDateConfirmed,
            today.DayNumber - episode.ReleaseDate.DayNumber,
            CareWindow.Deadline(episode.ReleaseDate),
            daysLeft,
            providerOds is null ? null : new ProviderView(providerOds, mappings.Providers.GetValueOrDefault(providerOds)?.Name),
            referral?.Id,
            referral?.TaskStatus ?? NoReferralReason(episode),
            accepted,
            episode.EngagedOn,
            EngagementRules.Code(outcome),
            outcome == EngagementOutcome.Pending && (!accepted || daysLeft <= AtRiskDaysLeft),
            FollowUpsAhead(episode, referral, accepted, now, today),
            episode.PrisonCode,
            episode.ExclusionReason,
            episode.ExclusionDate);
    }

    private static string NoReferralReason(Episode episode) =>
        !episode.HasTreatmentNeed ? "no referral (no treatment need)"
        : episode.ConsentToShare != true ? "no referral (no consent)"
        : "no referral (no provider for destination)";

    /// <summary>
    /// The §6 checkpoints still ahead of now whose condition still holds, from the episode itself: not
    /// accepted for the first two (only when there is a referral to accept), not engaged for the rest; none
    /// once the episode is excluded.
    /// </summary>
    private static IReadOnlyList<FollowUpView> FollowUpsAhead(Episode episode, Referral? referral, bool accepted, DateTimeOffset now, DateOnly today)
    {
        if (episode.Status == EpisodeStatus.Excluded) return [];
        // The window closed at the start of day 22: nothing is ahead (most of a caseload; spares the schedule's time-zone work).
        if (today > CareWindow.Deadline(episode.ReleaseDate).AddDays(1)) return [];
        return FollowUpSchedule.For(episode.ReleaseDate)
            .Where(f => f.DueAt > now)
            .Where(f => f.Checkpoint is FollowUpCheckpoint.DayBeforeRelease or FollowUpCheckpoint.Day2Escalation
                ? referral is not null && !accepted && !ReferralStateMachine.IsFinished(referral.TaskStatus)
                : episode.EngagedOn is null)
            .Select(f => new FollowUpView(CheckpointCode(f.Checkpoint), f.LocalDate, f.DueAt))
            .ToList();
    }

    private static string CheckpointCode(FollowUpCheckpoint checkpoint) => checkpoint switch
    {
        FollowUpCheckpoint.DayBeforeRelease => "day-before-release",
        FollowUpCheckpoint.Day2Escalation => "day-2-escalation",
        FollowUpCheckpoint.Day7Alert => "day-7-alert",
        FollowUpCheckpoint.Day14Alert => "day-14-alert",
        FollowUpCheckpoint.WindowClose => "window-close",
        _ => throw new ArgumentOutOfRangeException(nameof(checkpoint)),
    };
}
