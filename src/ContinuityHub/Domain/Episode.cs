namespace ContinuityHub.Domain;

/// <summary>
/// What a validated release notification says of the release, with the destination already resolved through the
/// mappings (local authority, provider, substance group): the episode takes it as it is.
/// </summary>
public sealed record NotificationDetails(
    string PrisonCode, string? ReleaseType, bool Released,
    string? DestinationPostcode, string? DestinationLocalAuthorityCode, bool NoFixedAbode, string? LocalAuthorityCode, string? ProviderOds,
    IReadOnlyList<string> Substances, string? SubstanceGroup, bool? InTreatmentInCustody,
    string? OstMedication, decimal? OstDailyDoseMg, DateOnly? OstLastDoseDate, bool? OstBridgingPrescription,
    bool? NaloxoneIssued, bool ConsentToShare,
    string? PrisonTeamEmail, string? ProbationPractitionerName, string? ProbationPractitionerEmail, string? PduCode);

/// <summary>What an exclusion asked for did (§7).</summary>
public enum ExclusionResult
{
    /// <summary>Applied now: the episode is excluded and its referral cancelled.</summary>
    Excluded,
    /// <summary>An exclusion on or before this date already stands; nothing changed.</summary>
    AlreadyExcluded,
    /// <summary>The person engaged on or before the date, so the event does not exclude them; nothing changed.</summary>
    EngagedBefore,
}

/// <summary>
/// One release of one person, from whatever sources told the hub about it, and the owner of its lifecycle: every
/// change of state goes through a method here (a test holds the rest of the hub to reading the properties). Each
/// change marks the episode changed — one new <see cref="Version"/> per unit of work — and remembers what the
/// referral showed before it, so the referral gets a new version exactly when a field its ServiceRequest or Task
/// shows has changed (<see cref="ShowChangesOn"/>).
/// </summary>
public sealed class Episode
{
    public Guid Id { get; set; }
    public Guid PersonId { get; set; }
    public Person? Person { get; set; }
    public required string NomsNumber { get; set; }
    public string? PrisonCode { get; set; }
    public DateOnly ReleaseDate { get; set; }
    /// <summary>Who gave the release date (<see cref="ReleaseDateSources"/>): decides which later date may replace it.</summary>
    public required string ReleaseDateSource { get; set; }
    /// <summary>True once an HMPPS release event or a notification with status <c>released</c> gave the date.</summary>
    public bool ReleaseDateConfirmed => ReleaseDateSource != ReleaseDateSources.PlannedNotification;
    public string? ReleaseType { get; set; }
    /// <summary>A <see cref="Domain.ReleaseClassification"/> code, set when the release is confirmed.</summary>
    public string? ReleaseClassification { get; set; }
    public string? MovementReasonCode { get; set; }
    /// <summary>The movement reason code was not in the mappings and was assumed to be a community release.</summary>
    public bool MovementReasonUnknown { get; set; }
    public string? DestinationPostcode { get; set; }
    public string? DestinationLocalAuthorityCode { get; set; }
    public bool NoFixedAbode { get; set; }
    public string? LocalAuthorityCode { get; set; }
    public string? ProviderOds { get; set; }
    /// <summary>False while only HMPPS events know of the release (contract §4.2: need unknown).</summary>
    public bool NeedKnown { get; set; }
    public string[] Substances { get; set; } = [];
    public string? SubstanceGroup { get; set; }
    public bool? InTreatmentInCustody { get; set; }
    public string? OstMedication { get; set; }
    public decimal? OstDailyDoseMg { get; set; }
    public DateOnly? OstLastDoseDate { get; set; }
    public bool? OstBridgingPrescription { get; set; }
    public bool? NaloxoneIssued { get; set; }
    public bool? ConsentToShare { get; set; }
    public string? PrisonTeamEmail { get; set; }
    public string? ProbationPractitionerName { get; set; }
    public string? ProbationPractitionerEmail { get; set; }
    public string? PduCode { get; set; }
    /// <summary><see cref="EpisodeStatus"/>.</summary>
    public string Status { get; set; } = EpisodeStatus.Open;
    public DateOnly? EngagedOn { get; set; }
    /// <summary><see cref="ExclusionReasons"/>.</summary>
    public string? ExclusionReason { get; set; }
    public DateOnly? ExclusionDate { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }

    public bool HasTreatmentNeed => NeedKnown && Substances.Length > 0;

    // The unit of work's record of change (fields, not properties: EF Core does not map them).
    private bool isNew;
    private bool changed;
    private bool versionBumped;
    private ReferralView? shownBefore;
    private bool? consentBefore;

    /// <summary>Changed in this unit of work (a transition applied): the ledger lets its observers see it before saving.</summary>
    public bool HasChanges => changed;

    /// <summary>Consent to share stood before this unit of work and a notification in it withdrew it (§4.1, §6).</summary>
    public bool ConsentWithdrawn => !isNew && shownBefore is not null && consentBefore == true && !ProviderConsent.Given(this);

    /// <summary>A new episode (version 1) for a release the person has no mergeable episode for.</summary>
    public static Episode Open(Person person, DateOnly releaseDate, string releaseDateSource, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        PersonId = person.Id,
        Person = person,
        NomsNumber = person.NomsNumber,
        ReleaseDate = releaseDate,
        ReleaseDateSource = releaseDateSource,
        Status = EpisodeStatus.Open,
        CreatedAt = now,
        UpdatedAt = now,
        Version = 1,
        isNew = true,
    };

    /// <summary>Whether a message about a release on <paramref name="releaseDate"/> merges into this episode (§4.1).</summary>
    public bool MergesWith(DateOnly releaseDate) =>
        Status is EpisodeStatus.Open or EpisodeStatus.Engaged && CareWindow.SameRelease(ReleaseDate, releaseDate);

    /// <summary>The episode a message about a release on <paramref name="releaseDate"/> merges into: the nearest mergeable one.</summary>
    public static Episode? Mergeable(IEnumerable<Episode> episodes, DateOnly releaseDate) =>
        episodes.Where(e => e.MergesWith(releaseDate)).OrderBy(e => CareWindow.DaysApart(e.ReleaseDate, releaseDate)).FirstOrDefault();

    /// <summary>The latest release, not already excluded, whose window holds <paramref name="date"/> (an admission back into custody).</summary>
    public static Episode? WindowHolding(IEnumerable<Episode> episodes, DateOnly date) =>
        episodes.Where(e => e.Status != EpisodeStatus.Excluded && CareWindow.Holds(e.ReleaseDate, date))
            .OrderByDescending(e => e.ReleaseDate).FirstOrDefault();

    /// <summary>A release notification (§4.1): its date under the precedence rules; the latest notification wins for what it states.</summary>
    public void TakeNotification(DateOnly releaseDate, NotificationDetails details, DateTimeOffset now)
    {
        RememberShown();
        ApplyReleaseDate(releaseDate, details.Released ? ReleaseDateSources.ReleasedNotification : ReleaseDateSources.PlannedNotification);
        PrisonCode = details.PrisonCode;
        ReleaseType = details.ReleaseType ?? ReleaseType;
        if (details.Released && ReleaseClassification is null) ReleaseClassification = Domain.ReleaseClassification.CommunityRelease;
        DestinationPostcode = details.DestinationPostcode;
        DestinationLocalAuthorityCode = details.DestinationLocalAuthorityCode;
        NoFixedAbode = details.NoFixedAbode;
        LocalAuthorityCode = details.LocalAuthorityCode;
        ProviderOds = details.ProviderOds;

        NeedKnown = true;
        Substances = [.. details.Substances];
        SubstanceGroup = details.SubstanceGroup;
        InTreatmentInCustody = details.InTreatmentInCustody;
        OstMedication = details.OstMedication;
        OstDailyDoseMg = details.OstDailyDoseMg;
        OstLastDoseDate = details.OstLastDoseDate;
        OstBridgingPrescription = details.OstBridgingPrescription;
        NaloxoneIssued = details.NaloxoneIssued;
        ConsentToShare = details.ConsentToShare;

        // A contact the notification does not mention is kept.
        PrisonTeamEmail = details.PrisonTeamEmail ?? PrisonTeamEmail;
        ProbationPractitionerName = details.ProbationPractitionerName ?? ProbationPractitionerName;
        ProbationPractitionerEmail = details.ProbationPractitionerEmail ?? ProbationPractitionerEmail;
        PduCode = details.PduCode ?? PduCode;
        Changed(now);
    }

    /// <summary>
    /// An HMPPS release event (§4.2): the confirmed date, the movement's classification, and the exclusion a release
    /// to hospital, a death or a removal implies (dated the release date).
    /// </summary>
    public void ConfirmRelease(DateOnly releaseDate, string classification, string? movementReasonCode, bool movementReasonUnknown,
        string? prisonCode, Referral? referral, DateTimeOffset now)
    {
        RememberShown();
        ApplyReleaseDate(releaseDate, ReleaseDateSources.HmppsEvent);
        ReleaseClassification = classification;
        MovementReasonCode = movementReasonCode;
        MovementReasonUnknown = movementReasonUnknown;
        // Identity and scope come from notifications: an event-opened episode takes the event's prison only when it has none.
        PrisonCode ??= prisonCode;
        if (ExclusionReasons.ForClassification(classification) is { } reason) Exclude(reason, releaseDate, referral, now);
        Changed(now);
    }

    /// <summary>A date replaces the current one only if its source is at least as authoritative; among equals the latest wins.</summary>
    private void ApplyReleaseDate(DateOnly releaseDate, string source)
    {
        if (ReleaseDateSources.Authority(source) < ReleaseDateSources.Authority(ReleaseDateSource)) return;
        ReleaseDate = releaseDate;
        ReleaseDateSource = source;
    }

    /// <summary>The person engaged on or before <paramref name="date"/>: an event that day does not exclude them (§7).</summary>
    public bool EngagedOnOrBefore(DateOnly date) => EngagedOn is { } engaged && engaged <= date;

    /// <summary>
    /// The exclusion rule of §7 for every path (HMPPS events, <c>POST /api/v1/episodes/{id}/exclusion</c>, its page): an
    /// event excludes only when the person had not engaged on or before it, and an earlier exclusion stands against a
    /// later one. An applied exclusion ends the referral: the hub cancels its Task (§5), also after the window closed as
    /// failed (a late exclusion still excludes).
    /// </summary>
    public ExclusionResult Exclude(string reason, DateOnly date, Referral? referral, DateTimeOffset now)
    {
        if (EngagedOnOrBefore(date)) return ExclusionResult.EngagedBefore;
        if (Status == EpisodeStatus.Excluded && ExclusionDate <= date) return ExclusionResult.AlreadyExcluded;
        RememberShown();
        Status = EpisodeStatus.Excluded;
        ExclusionReason = reason;
        ExclusionDate = date;
        referral?.CancelForExclusion();
        Changed(now);
        return ExclusionResult.Excluded;
    }

    /// <summary>
    /// The first attended structured intervention (recorded through the referral, <see cref="Referral.RecordEngagement"/>):
    /// an earlier date replaces a later one; one on or before an exclusion's date undoes the exclusion (§7).
    /// </summary>
    /// <returns>Whether the (first) engagement falls inside the window.</returns>
    internal bool Engage(DateOnly date, DateTimeOffset now)
    {
        RememberShown();
        if (EngagedOn is null || date < EngagedOn) EngagedOn = date;
        if (Status == EpisodeStatus.Excluded && EngagedOn <= ExclusionDate)
        {
            ExclusionReason = null;
            ExclusionDate = null;
        }
        var withinWindow = EngagedOn <= CareWindow.Deadline(ReleaseDate);
        Status = withinWindow ? EpisodeStatus.Engaged : EpisodeStatus.NotEngaged;
        Changed(now);
        return withinWindow;
    }

    /// <summary>The window closed without engagement (§6): outcome not engaged, and the referral's Task failed where the state machine allows.</summary>
    /// <returns>Whether the Task was failed.</returns>
    public bool CloseWindow(Referral? referral, DateTimeOffset now)
    {
        RememberShown();
        Status = EpisodeStatus.NotEngaged;
        var failed = referral?.FailAtWindowClose() == true;
        Changed(now);
        return failed;
    }

    /// <summary>
    /// The referral rules of §4.1 after a notification: only a release with a need, consent and a provider covering the
    /// destination is referred; consent withdrawn cancels a referral not yet finished; an existing referral follows the
    /// episode (<see cref="Referral.FollowEpisode"/>).
    /// </summary>
    /// <returns>The episode's referral (a new one to be added when <c>Created</c>) and the outcome (<see cref="ReferralOutcomes"/>).</returns>
    public (Referral? Referral, string Outcome) DecideReferral(Referral? existing, DateTimeOffset now)
    {
        if (!HasTreatmentNeed) return (existing, ReferralOutcomes.NoTreatmentNeed);
        if (ConsentToShare != true)
            return existing is not null && existing.CancelForWithdrawnConsent(now)
                ? (existing, ReferralOutcomes.ConsentWithdrawn)
                : (existing, ReferralOutcomes.NoConsent);
        if (ProviderOds is null) return (existing, ReferralOutcomes.NoProviderForDestination);
        if (existing is null) return (Referral.Create(this, ProviderOds, now), ReferralOutcomes.Created);
        existing.FollowEpisode(this, now);
        return (existing, ReferralOutcomes.Updated);
    }

    /// <summary>
    /// Gives the referral a new version when this unit of work changed a field its ServiceRequest or Task shows (see
    /// FhirReferralMapper) and did not already move the referral on: its FHIR <c>meta.versionId</c>/<c>lastUpdated</c>
    /// and ETag change and providers are sent the new state.
    /// </summary>
    public void ShowChangesOn(Referral referral, DateTimeOffset now)
    {
        if (!isNew && shownBefore is { } before && before != ReferralView.Of(this)) referral.NewVersion(now);
    }

    /// <summary>The unit of work was saved: what follows is a new one.</summary>
    public void ChangesSaved()
    {
        isNew = changed = versionBumped = false;
        shownBefore = null;
        consentBefore = null;
    }

    /// <summary>A change of the episode or of its referral: one new version per unit of work (a new episode stays at 1).</summary>
    internal void Changed(DateTimeOffset now)
    {
        UpdatedAt = now;
        changed = true;
        if (isNew || versionBumped) return;
        Version++;
        versionBumped = true;
    }

    /// <summary>Called before a transition changes anything: what the referral showed at the start of the unit of work.</summary>
    internal void RememberShown()
    {
        if (shownBefore is not null) return;
        shownBefore = ReferralView.Of(this);
        consentBefore = ConsentToShare;
    }

    /// <summary>The episode's fields that its referral's ServiceRequest and Task show.</summary>
    private sealed record ReferralView(DateOnly ReleaseDate, string Status, DateOnly? EngagedOn, string Substances, string? SubstanceGroup,
        string? OstMedication, decimal? OstDailyDoseMg, DateOnly? OstLastDoseDate, bool? OstBridgingPrescription, bool? NaloxoneIssued,
        bool? InTreatmentInCustody)
    {
        public static ReferralView Of(Episode e) => new(e.ReleaseDate, e.Status, e.EngagedOn, string.Join('\u001f', e.Substances), e.SubstanceGroup,
            e.OstMedication, e.OstDailyDoseMg, e.OstLastDoseDate, e.OstBridgingPrescription, e.NaloxoneIssued, e.InTreatmentInCustody);
    }
}
