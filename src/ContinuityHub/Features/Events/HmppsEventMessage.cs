using System.Globalization;
using System.Text.Json;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Features.Releases;
using ContinuityHub.Infrastructure;

namespace ContinuityHub.Features.Events;

/// <summary>An HMPPS domain event as received: the event itself and, when it came in one, its SNS envelope's MessageId.</summary>
public sealed record HmppsEventMessage(
    string? MessageId,
    string EventType,
    DateTimeOffset? OccurredAt,
    string? NomsNumber,
    string? Crn,
    string? Reason,
    string? MovementReasonCode,
    string? PrisonId,
    CanonicalJson Content)
{
    /// <summary>Redelivery key (contract §4.2): MessageId + content, or type + occurredAt + NOMS number without an envelope.</summary>
    public string DeduplicationKey => MessageId is not null
        ? $"message:{MessageId}:{Content.Hash}"
        : $"event:{EventType}|{OccurredAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)}|{NomsNumber}";

    /// <summary>Unwraps an SNS Notification envelope if there is one and reads the fields the hub acts on.</summary>
    public static (HmppsEventMessage? Message, IReadOnlyList<FieldProblem> Problems) Parse(JsonElement root)
    {
        var problems = new List<FieldProblem>();
        if (root.ValueKind != JsonValueKind.Object)
            return (null, [new FieldProblem("", "must be a JSON object: an HMPPS event or its SNS Notification envelope.")]);

        string? messageId = null;
        var prefix = "";
        var eventElement = root;
        JsonDocument? inner = null;
        try
        {
            if (Text(root, "Type") == "Notification" && root.TryGetProperty("Message", out var message))
            {
                prefix = "/Message";
                messageId = Text(root, "MessageId");
                if (message.ValueKind != JsonValueKind.String)
                    return (null, [new FieldProblem("/Message", "must be a string holding the event's JSON.")]);
                // The same checks as a body: the Message is client JSON too, stored as jsonb.
                if (!JsonBody.TryRead(message.GetString()!, out inner, out var refusal, "/Message")) return (null, refusal!.Problems);
                eventElement = inner!.RootElement;
                if (eventElement.ValueKind != JsonValueKind.Object)
                    return (null, [new FieldProblem("/Message", "must hold a JSON object.")]);
            }

            LimitLength(problems, "/MessageId", messageId, TextLimits.EventMessageId);
            var eventType = Text(eventElement, "eventType");
            if (eventType is null) problems.Add(new FieldProblem($"{prefix}/eventType", "is required."));
            LimitLength(problems, $"{prefix}/eventType", eventType, TextLimits.EventType);
            var known = eventType is not null && HmppsEventTypes.IsKnown(eventType);
            DateTimeOffset? occurredAt = null;
            var occurredText = Text(eventElement, "occurredAt");
            if (occurredText is not null)
            {
                var parsed = ClientDates.ParseInstant(occurredText);
                if (parsed is { } instant && ClientDates.InRange(instant)) occurredAt = instant;
                // Only a type the hub acts on needs a readable time; any other type is recorded whatever it holds (contract §4.2).
                else if (eventType is null || known)
                    problems.Add(new FieldProblem($"{prefix}/occurredAt", parsed is null ? "must be an ISO 8601 date-time with an offset." : ClientDates.RangeRule));
            }
            var info = eventElement.TryGetProperty("additionalInformation", out var ai) && ai.ValueKind == JsonValueKind.Object ? ai : default;
            var noms = (Text(info, "nomsNumber") ?? Identifier(eventElement, "NOMS"))?.ToUpperInvariant();
            var crn = (Text(info, "crn") ?? Identifier(eventElement, "CRN"))?.ToUpperInvariant();
            LimitLength(problems, $"{prefix}/additionalInformation/nomsNumber", noms, TextLimits.EventNomsNumber);
            if (known)
            {
                // What the hub stores on the episode from the event.
                LimitLength(problems, $"{prefix}/additionalInformation/reason", Text(info, "reason"), TextLimits.EventReason);
                LimitLength(problems, $"{prefix}/additionalInformation/nomisMovementReasonCode", Text(info, "nomisMovementReasonCode"), TextLimits.MovementReasonCode);
                LimitLength(problems, $"{prefix}/additionalInformation/prisonId", Text(info, "prisonId"), TextLimits.PrisonCode);
            }
            if (eventType is not null && known)
            {
                // The hub can only act on a known event that says who and when; a feed gets told precisely what is missing.
                if (noms is null)
                    problems.Add(new FieldProblem($"{prefix}/additionalInformation/nomsNumber", "is required for this event type (or a NOMS identifier in personReference)."));
                else if (!Identifiers.IsNomsNumber(noms))
                    problems.Add(new FieldProblem($"{prefix}/additionalInformation/nomsNumber", "must be a NOMS number such as A1234BC."));
                if (HmppsEventTypes.IsIdentifierLink(eventType))
                {
                    if (crn is null) problems.Add(new FieldProblem($"{prefix}/personReference/identifiers", "needs a CRN identifier for this event type."));
                    else if (!Identifiers.IsCrn(crn)) problems.Add(new FieldProblem($"{prefix}/personReference/identifiers", "holds a CRN that is not a letter and 6 digits."));
                }
                else if (occurredAt is null && occurredText is null)
                {
                    problems.Add(new FieldProblem($"{prefix}/occurredAt", "is required for this event type."));
                }
            }
            if (problems.Count > 0 || eventType is null) return (null, problems);
            return (new HmppsEventMessage(messageId, eventType, occurredAt, noms, crn, Text(info, "reason"),
                Text(info, "nomisMovementReasonCode"), Text(info, "prisonId"), CanonicalJson.From(eventElement)), []);
        }
        finally
        {
            inner?.Dispose();
        }
    }

    private static void LimitLength(List<FieldProblem> problems, string pointer, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength) problems.Add(new FieldProblem(pointer, $"must be at most {maxLength} characters."));
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() is { Length: > 0 } text ? text : null
            : null;

    private static string? Identifier(JsonElement eventElement, string type)
    {
        if (!eventElement.TryGetProperty("personReference", out var reference) || reference.ValueKind != JsonValueKind.Object
            || !reference.TryGetProperty("identifiers", out var identifiers) || identifiers.ValueKind != JsonValueKind.Array)
            return null;
        return identifiers.EnumerateArray()
            .Where(i => string.Equals(Text(i, "type"), type, StringComparison.OrdinalIgnoreCase))
            .Select(i => Text(i, "value"))
            .FirstOrDefault(v => v is not null);
    }
}
