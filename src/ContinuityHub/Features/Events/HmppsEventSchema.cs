using System.ComponentModel;
using System.Text.Json;

namespace ContinuityHub.Features.Events;

// An HMPPS domain event as the OpenAPI document describes it (the hub reads the JSON itself: HmppsEventMessage).

[Description("An HMPPS domain event, or the SNS Notification envelope around it (Type, MessageId, Message = the event as a string).")]
public sealed record HmppsEventSchema(
    string? EventType,
    DateTimeOffset? OccurredAt,
    int? Version,
    string? Description,
    [property: Description("nomsNumber, reason, nomisMovementReasonCode, prisonId …")] JsonElement? AdditionalInformation,
    JsonElement? PersonReference,
    [property: Description("SNS envelope: Notification")] string? Type,
    [property: Description("SNS envelope: the delivery's id, used for idempotency")] string? MessageId,
    [property: Description("SNS envelope: the event, as a JSON string")] string? Message);
