namespace ContinuityHub.Data;

/// <summary>
/// The longest text the hub stores in each column a client's value reaches, in characters. The API refuses
/// a longer value with a 422 naming the field (through these constants); migration 0015 holds the same
/// numbers as CHECK constraints, the backstop for a path that forgot. Chosen well above any real value
/// (docs/decisions.md, "Limits").
/// </summary>
public static class TextLimits
{
    public const int NomsNumber = 7;
    public const int Crn = 7;
    public const int NhsNumber = 10;
    public const int PncNumber = 13;
    public const int PersonName = 100;
    public const int Gender = 20;
    /// <summary>Prison codes are 3 letters; an event's prisonId may name other establishments (court, hospital) in longer codes.</summary>
    public const int PrisonCode = 10;
    public const int ReleaseType = 50;
    public const int MovementReasonCode = 20;
    public const int Postcode = 10;
    public const int LocalAuthorityCode = 9;
    public const int OstMedication = 40;
    /// <summary>RFC 5321's limit on an address.</summary>
    public const int Email = 254;
    public const int PractitionerName = 100;
    public const int PduCode = 20;
    public const int RejectionReason = 500;
    public const int NotificationSource = 40;
    /// <summary>SNS MessageIds are UUIDs (36); room for other brokers' ids.</summary>
    public const int EventMessageId = 100;
    /// <summary>HMPPS event types are dotted names of about 45 characters.</summary>
    public const int EventType = 100;
    /// <summary>An event of a type the hub does not act on is recorded whatever its NOMS number looks like, up to this length.</summary>
    public const int EventNomsNumber = 20;
    public const int EventReason = 50;
    /// <summary>The subject of a token (an identity provider's user id).</summary>
    public const int Subject = 255;
    /// <summary>Codes the hub itself writes (statuses, outcomes, classifications, hashes, audit actions).</summary>
    public const int Code = 64;
    public const int OdsCode = 20;
    /// <summary>"message:" + MessageId + content hash, or "event:" + type + time + NOMS number.</summary>
    public const int DeduplicationKey = 400;
    /// <summary>Why an event could not be processed (an exception's type and the hub's own words).</summary>
    public const int ErrorDetail = 2000;
    /// <summary>The roles of a token, comma-separated, as the audit trail records them.</summary>
    public const int Roles = 1000;
    public const int ResourceId = 200;

    /// <summary>Every limited column: the EF model's CHECK constraints and migration 0015 (SchemaTests holds them equal).</summary>
    public static readonly IReadOnlyList<(string Table, string Column, int MaxLength)> Columns =
    [
        ("people", "noms_number", NomsNumber),
        ("people", "crn", Crn),
        ("people", "nhs_number", NhsNumber),
        ("people", "pnc_number", PncNumber),
        ("people", "given_name", PersonName),
        ("people", "family_name", PersonName),
        ("people", "gender", Gender),
        ("episodes", "noms_number", NomsNumber),
        ("episodes", "prison_code", PrisonCode),
        ("episodes", "release_date_source", Code),
        ("episodes", "release_type", ReleaseType),
        ("episodes", "release_classification", Code),
        ("episodes", "movement_reason_code", MovementReasonCode),
        ("episodes", "destination_postcode", Postcode),
        ("episodes", "destination_local_authority_code", LocalAuthorityCode),
        ("episodes", "local_authority_code", LocalAuthorityCode),
        ("episodes", "provider_ods", OdsCode),
        ("episodes", "substance_group", Code),
        ("episodes", "ost_medication", OstMedication),
        ("episodes", "prison_team_email", Email),
        ("episodes", "probation_practitioner_name", PractitionerName),
        ("episodes", "probation_practitioner_email", Email),
        ("episodes", "pdu_code", PduCode),
        ("episodes", "status", Code),
        ("episodes", "exclusion_reason", Code),
        ("referrals", "provider_ods", OdsCode),
        ("referrals", "requester_prison_code", PrisonCode),
        ("referrals", "task_status", Code),
        ("referrals", "rejection_reason", RejectionReason),
        ("release_notifications", "source", NotificationSource),
        ("release_notifications", "content_hash", Code),
        ("release_notifications", "referral_outcome", Code),
        ("release_notifications", "submitted_by", Subject),
        ("hmpps_events", "deduplication_key", DeduplicationKey),
        ("hmpps_events", "message_id", EventMessageId),
        ("hmpps_events", "content_hash", Code),
        ("hmpps_events", "event_type", EventType),
        ("hmpps_events", "noms_number", EventNomsNumber),
        ("hmpps_events", "outcome", Code),
        ("hmpps_events", "outcome_detail", ErrorDetail),
        ("audit_log", "actor_subject", Subject),
        ("audit_log", "actor_roles", Roles),
        ("audit_log", "action", Code),
        ("audit_log", "resource_type", Code),
        ("audit_log", "resource_id", ResourceId),
        ("audit_log", "correlation_id", Code),
        ("notification_outbox", "email_address", Email),
    ];

    /// <summary>The CHECK constraint's name for a limited column.</summary>
    public static string ConstraintName(string table, string column) => $"ck_{table}_{column}_length";
}
