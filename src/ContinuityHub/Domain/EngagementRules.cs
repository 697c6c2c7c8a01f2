namespace ContinuityHub.Domain;

/// <summary>Where one episode stands in the continuity-of-care measure (contract §7).</summary>
public enum EngagementOutcome
{
    /// <summary>Not counted: no confirmed community release (yet, as of the date), or no treatment need.</summary>
    NotInCohort,
    Engaged,
    Excluded,
    /// <summary>Not engaged, not excluded, and the window is still open on the "as of" date.</summary>
    Pending,
    NotEngaged,
}

/// <summary>The facts about one episode that the measure looks at; nothing else about the episode counts.</summary>
public sealed record EngagementFacts(
    bool ConfirmedCommunityRelease,
    bool HasTreatmentNeed,
    DateOnly ReleaseDate,
    DateOnly? EngagedOn,
    string? ExclusionReason,
    DateOnly? ExclusionDate)
{
    public static EngagementFacts Of(Episode episode) => new(
        episode.ReleaseDateConfirmed && episode.ReleaseClassification is null or ReleaseClassification.CommunityRelease
            or ReleaseClassification.Died or ReleaseClassification.RemovedFromUk or ReleaseClassification.Hospital,
        episode.HasTreatmentNeed, episode.ReleaseDate, episode.EngagedOn, episode.ExclusionReason, episode.ExclusionDate);
}

/// <summary>
/// The rules of contract §7 for one person, in one place. They use only the dates in the records, never
/// when the records were entered, so late engagement or a late exclusion changes the answer for the past.
/// A fact dated after <c>asOf</c> is not yet known on that date and is ignored. The report computes the
/// same rules in SQL for speed; tests hold the two to the same answers.
/// </summary>
public static class EngagementRules
{
    public static EngagementOutcome Classify(EngagementFacts facts, DateOnly asOf)
    {
        if (!facts.ConfirmedCommunityRelease || !facts.HasTreatmentNeed || facts.ReleaseDate > asOf)
            return EngagementOutcome.NotInCohort;

        var deadline = CareWindow.Deadline(facts.ReleaseDate);
        var engagedOn = facts.EngagedOn is { } e && e >= facts.ReleaseDate && e <= deadline && e <= asOf ? e : (DateOnly?)null;
        var excludedOn = facts.ExclusionReason is not null && facts.ExclusionDate is { } x && x <= deadline && x <= asOf
            ? x : (DateOnly?)null;

        // An exclusion counts only when the person had not engaged before it; engagement on the same day wins.
        if (excludedOn is { } exclusion && (engagedOn is null || engagedOn > exclusion)) return EngagementOutcome.Excluded;
        if (engagedOn is not null) return EngagementOutcome.Engaged;
        return asOf <= deadline ? EngagementOutcome.Pending : EngagementOutcome.NotEngaged;
    }

    /// <summary>The outcome's code in answers and pages (<c>pending</c>, <c>not-engaged</c>, …).</summary>
    public static string Code(EngagementOutcome outcome) => outcome switch
    {
        EngagementOutcome.NotInCohort => "not-in-cohort",
        EngagementOutcome.Engaged => "engaged",
        EngagementOutcome.Excluded => "excluded",
        EngagementOutcome.Pending => "pending",
        EngagementOutcome.NotEngaged => "not-engaged",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    /// <summary>engaged / (engaged + not engaged), or null while nothing is decided.</summary>
    public static decimal? Rate(int engaged, int notEngaged) =>
        engaged + notEngaged == 0 ? null : Math.Round((decimal)engaged / (engaged + notEngaged), 4, MidpointRounding.AwayFromZero);
}
