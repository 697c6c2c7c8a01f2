using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Events;

/// <summary>Builds HMPPS domain events for tests, in the shapes of shared/fixtures/hmpps, and posts them.</summary>
public static class HmppsEvents
{
    public const string Path = "/api/v1/events/hmpps";
    public const string Released = "prison-offender-events.prisoner.released";
    public const string Received = "prison-offender-events.prisoner.received";

    /// <summary>A shared fixture file exactly as stored (the SNS envelope).</summary>
    public static string Fixture(string name) => File.ReadAllText(System.IO.Path.Combine(RepositoryPaths.HmppsFixtures, name));

    /// <summary>A raw prisoner.released event (no envelope).</summary>
    public static JsonObject Release(string noms, string occurredAt, string movementReasonCode = "CR", string reason = "RELEASED",
        string? prisonId = "ONI", bool personReference = true)
    {
        var info = new JsonObject
        {
            ["nomsNumber"] = noms,
            ["reason"] = reason,
            ["details"] = $"Movement reason code {movementReasonCode}",
            ["nomisMovementReasonCode"] = movementReasonCode,
            ["currentLocation"] = "OUTSIDE_PRISON",
            ["prisonId"] = prisonId,
            ["currentPrisonStatus"] = "NOT_UNDER_PRISON_CARE",
        };
        return Event(Released, occurredAt, info, "A prisoner has been released from prison", personReference ? noms : null);
    }

    /// <summary>A raw prisoner.received event (no envelope).</summary>
    public static JsonObject Admission(string noms, string occurredAt, string reason = "ADMISSION")
    {
        var info = new JsonObject
        {
            ["nomsNumber"] = noms,
            ["reason"] = reason,
            ["probableCause"] = "RECALL",
            ["source"] = "PRISON",
            ["nomisMovementReasonCode"] = "24",
            ["currentLocation"] = "IN_PRISON",
            ["prisonId"] = "ONI",
            ["currentPrisonStatus"] = "UNDER_PRISON_CARE",
        };
        return Event(Received, occurredAt, info, "A prisoner has been received into prison", noms);
    }

    public static JsonObject Event(string eventType, string occurredAt, JsonObject additionalInformation, string description, string? noms)
    {
        var ev = new JsonObject
        {
            ["eventType"] = eventType,
            ["additionalInformation"] = additionalInformation,
            ["version"] = 1,
            ["occurredAt"] = occurredAt,
            ["publishedAt"] = occurredAt,
            ["description"] = description,
        };
        if (noms is not null)
            ev["personReference"] = new JsonObject { ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "NOMS", ["value"] = noms }) };
        return ev;
    }

    /// <summary>The SNS Notification envelope around an event, as a queue subscriber receives it.</summary>
    public static JsonObject Envelope(JsonObject ev, string? messageId = null) => new()
    {
        ["Type"] = "Notification",
        ["MessageId"] = messageId ?? Guid.NewGuid().ToString(),
        ["TopicArn"] = "",
        ["Message"] = ev.ToJsonString(),
        ["Timestamp"] = "2026-11-22T10:00:00.000Z",
        ["SignatureVersion"] = "1",
        ["Signature"] = "",
        ["SigningCertURL"] = "",
        ["UnsubscribeURL"] = "",
        ["MessageAttributes"] = new JsonObject
        {
            ["eventType"] = new JsonObject { ["Type"] = "String", ["Value"] = (string?)ev["eventType"] },
        },
    };

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, JsonNode body) => PostAsync(client, body.ToJsonString());

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string body) =>
        client.PostAsync(Path, new StringContent(body, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();
}
