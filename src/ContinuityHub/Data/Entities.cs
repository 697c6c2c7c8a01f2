namespace ContinuityHub.Data;

// The hub's records. Personal data lives only in Person (and the stored raw payloads); everything else
// refers to people by id so that job data, logs and reports never need to carry it.

public sealed class Person
{
    public Guid Id { get; set; }
    public required string NomsNumber { get; set; }
    public string? Crn { get; set; }
    public string? NhsNumber { get; set; }
    public string? PncNumber { get; set; }
    public string? GivenName { get; set; }
    public string? FamilyName { get; set; }
    public DateOnly? DateOfBirth { get; set; }
    public string? Gender { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One release of one person, from whatever sources told the hub about it.</summary>
public sealed class Episode
{
    public Guid Id { get; set; }
    public Guid PersonId { get; set; }
    public Person? Person { get; set; }
    public required string NomsNumber { get; set; }
    public string? PrisonCode { get; set; }
    public DateOnly ReleaseDate { get; set; }
    /// <summary>Who gave the release date (<see cref="Features.Episodes.ReleaseDateSources"/>): decides which later date may replace it.</summary>
    public required string ReleaseDateSource { get; set; }
    /// <summary>True once an HMPPS release event or a notification with status <c>released</c> gave the date.</summary>
    public bool ReleaseDateConfirmed => ReleaseDateSource != Features.Episodes.ReleaseDateSources.PlannedNotification;
    public string? ReleaseType { get; set; }
    /// <summary>A <see cref="Mappings.ReleaseClassification"/> code, set when the release is confirmed.</summary>
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
    public string Status { get; set; } = EpisodeStatus.Open;
    public DateOnly? EngagedOn { get; set; }
    public string? ExclusionReason { get; set; }
    public DateOnly? ExclusionDate { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; }

    public bool HasTreatmentNeed => NeedKnown && Substances.Length > 0;
}

public static class EpisodeStatus
{
    public const string Open = "open";
    public const string Engaged = "engaged";
    public const string Excluded = "excluded";
    public const string NotEngaged = "not-engaged";
}

/// <summary>The referral to a community provider: backs the FHIR ServiceRequest and Task.</summary>
public sealed class Referral
{
    public Guid Id { get; set; }
    public Guid EpisodeId { get; set; }
    public Episode? Episode { get; set; }
    public required string ProviderOds { get; set; }
    public string? RequesterPrisonCode { get; set; }
    /// <summary>The FHIR Task status (requested, accepted, rejected, in-progress, completed, cancelled, failed).</summary>
    public string TaskStatus { get; set; } = Features.Referrals.TaskStatuses.Requested;
    public string? RejectionReason { get; set; }
    /// <summary>The first community appointment the provider has booked.</summary>
    public DateOnly? AppointmentDate { get; set; }
    public int Version { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Idempotency record of a release notification (by its notificationId) and the episode it went to.</summary>
public sealed class ReleaseNotification
{
    public Guid NotificationId { get; set; }
    public required string Source { get; set; }
    public required string ContentHash { get; set; }
    public Guid EpisodeId { get; set; }
    public Guid? ReferralId { get; set; }
    /// <summary>What happened to the referral (<see cref="Features.Releases.ReferralOutcomes"/>), replayed on a retry.</summary>
    public required string ReferralOutcome { get; set; }
    public required string Payload { get; set; }
    public required string SubmittedBy { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>A raw HMPPS domain event, stored before it is applied.</summary>
public sealed class HmppsEvent
{
    public Guid Id { get; set; }
    /// <summary>Envelope MessageId + content hash, or event type + occurredAt + NOMS number without an envelope.</summary>
    public required string DeduplicationKey { get; set; }
    public string? MessageId { get; set; }
    public required string ContentHash { get; set; }
    public required string EventType { get; set; }
    public DateTimeOffset? OccurredAt { get; set; }
    public string? NomsNumber { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public string Outcome { get; set; } = "received";
    /// <summary>For a failed or parked event: the last error (exception types and SQLSTATE, never the event's data).</summary>
    public string? OutcomeDetail { get; set; }
    public Guid? EpisodeId { get; set; }
    /// <summary>Attempts to process the event that failed; at <see cref="Features.Events.HmppsEventService.MaxAttempts"/> it is parked.</summary>
    public int Attempts { get; set; }
    public DateTimeOffset? ParkedAt { get; set; }
}

/// <summary>Append-only record of who read or changed whose record (the table refuses updates and deletes).</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public required string ActorSubject { get; set; }
    public required string ActorRoles { get; set; }
    public required string Action { get; set; }
    public required string ResourceType { get; set; }
    public required string ResourceId { get; set; }
    public string? CorrelationId { get; set; }
    /// <summary>The read was refused (403 or 404 on a person's record): who tried is part of the trail too.</summary>
    public bool Refused { get; set; }
}
