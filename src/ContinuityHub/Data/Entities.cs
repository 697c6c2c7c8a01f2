namespace ContinuityHub.Data;

// The hub's records besides the domain's own (Domain/: Person, Episode, Referral). Personal data lives only in
// Person and the stored raw payloads; everything else refers to people by id.

/// <summary>Idempotency record of a release notification (by its notificationId) and the episode it went to.</summary>
public sealed class ReleaseNotification
{
    public Guid NotificationId { get; set; }
    public required string Source { get; set; }
    public required string ContentHash { get; set; }
    public Guid EpisodeId { get; set; }
    public Guid? ReferralId { get; set; }
    /// <summary>What happened to the referral (<see cref="Domain.ReferralOutcomes"/>), replayed on a retry.</summary>
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
    /// <summary>Attempts to process the event that failed; at the HMPPS event service's maximum it is parked.</summary>
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
