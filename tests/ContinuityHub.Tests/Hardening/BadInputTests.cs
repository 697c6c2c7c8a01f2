using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Data;
using ContinuityHub.Features.Events;
using ContinuityHub.Features.Releases;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Hardening;

/// <summary>
/// Each class of input that answered 500 (issue 12) is refused at its root with a 4xx naming the problem, and
/// writes nothing: the JSON reading seam (JsonBody), the date range guard (ClientDates), the text limits
/// (TextLimits), the batch row limit, query strings with NUL.
/// </summary>
public sealed class BadInputTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<string> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    private async Task<long> StoredRows()
    {
        await using var db = hub.Db();
        return await db.People.CountAsync() + await db.Episodes.CountAsync() + await db.ReleaseNotifications.CountAsync() + await db.HmppsEvents.CountAsync();
    }

    /// <summary>The example notification's JSON with <paramref name="extra"/> spliced in as one more member.</summary>
    private static string WithMember(string extra) => Notifications.Example().ToJsonString()[..^1] + "," + extra + "}";

    [Theory]
    [InlineData("\"note\":\"\\ud800\"", "/note")]                          // a lone high surrogate in an unknown member
    [InlineData("\"note\":\"a\\udc00b\"", "/note")]                        // a lone low surrogate
    [InlineData("\"note\":1e400", "/note")]                                // a number beyond a double
    [InlineData("\"note\":1e-20000", "/note")]                             // jsonb refuses this exponent
    [InlineData("\"note\":[1,2,\"\\u0000\"]", "/note/2")]                  // NUL
    public async Task Values_the_hub_cannot_store_are_a_422_naming_the_member_and_nothing_is_written(string member, string pointer)
    {
        var before = await StoredRows();
        var text = await Problem(await hub.PrisonClient().PostAsync("/api/v1/releases", Json(WithMember(member))), HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"\"pointer\":\"{pointer}\"", text);
        Assert.Equal(before, await StoredRows());
    }

    [Fact]
    public async Task A_400_digit_integer_and_a_name_with_a_lone_surrogate_are_refused_too()
    {
        await Problem(await hub.PrisonClient().PostAsync("/api/v1/releases", Json(WithMember($"\"n\":{new string('9', 400)}"))), HttpStatusCode.UnprocessableEntity);
        await Problem(await hub.PrisonClient().PostAsync("/api/v1/releases", Json(WithMember("\"\\ud800x\":1"))), HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Duplicate_members_and_deep_nesting_are_a_400()
    {
        var duplicate = await Problem(await hub.PrisonClient().PostAsync("/api/v1/releases", Json(WithMember("\"source\":\"probation\""))), HttpStatusCode.BadRequest);
        Assert.True(duplicate.Contains("appears twice"), duplicate);
        var deep = await Problem(await hub.PrisonClient().PostAsync("/api/v1/releases", Json(WithMember("\"n\":" + new string('[', 40) + new string(']', 40)))), HttpStatusCode.BadRequest);
        Assert.True(deep.Contains("levels deep"), deep);
    }

    [Fact]
    public async Task A_lone_surrogate_inside_an_SNS_Message_and_in_a_FHIR_Task_is_refused()
    {
        var feed = hub.ClientFor(HubRoles.EventFeed);
        var release = HmppsEvents.Release(Notifications.NewNomsNumber(), "2026-11-20T10:00:00Z");
        var envelope = HmppsEvents.Envelope(release);
        // The Message's text holds the six characters \ud800: valid JSON outside, a lone surrogate once the Message is read.
        envelope["Message"] = release.ToJsonString().Replace("OUTSIDE_PRISON", "\\ud800");
        var text = await Problem(await HmppsEvents.PostAsync(feed, envelope), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("/Message", text);

        var provider = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example());
        var put = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Task/{referralId}")
        {
            Content = new StringContent($"{{\"resourceType\":\"Task\",\"id\":\"{referralId}\",\"status\":\"rejected\",\"statusReason\":{{\"text\":\"\\udfff\"}}}}", Encoding.UTF8, "application/fhir+json"),
        };
        put.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        var fhir = await provider.SendAsync(put);
        Assert.True((int)fhir.StatusCode is >= 400 and < 500, $"{(int)fhir.StatusCode}");
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("1899-12-31T12:00:00+00:00")]
    public async Task An_event_at_the_calendar_edges_is_a_422_naming_occurredAt(string occurredAt)
    {
        var before = await StoredRows();
        var text = await Problem(await HmppsEvents.PostAsync(hub.ClientFor(HubRoles.EventFeed),
            HmppsEvents.Release(Notifications.NewNomsNumber(), occurredAt)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("/occurredAt", text);
        Assert.Equal(before, await StoredRows());
    }

    [Theory]
    [InlineData("/api/v1/reports/engagement?from=0001-01-01", "from")]
    [InlineData("/api/v1/reports/engagement?to=9999-12-31", "to")]
    [InlineData("/api/v1/reports/engagement?asOf=9999-12-31", "asOf")]
    [InlineData("/fhir/Measure/continuity-of-care-21-days/$evaluate-measure?periodStart=0001-01-01&periodEnd=0001-12-31", "periodStart")]
    [InlineData("/fhir/Measure/continuity-of-care-21-days/$evaluate-measure?periodStart=2026-01-01&periodEnd=9999-12-31", "periodEnd")]
    [InlineData("/fhir/Task?_lastUpdated=ge0001-01-01", "_lastUpdated")]
    public async Task Report_and_search_dates_at_the_calendar_edges_are_a_400_naming_the_parameter(string url, string parameter)
    {
        var text = await Problem(await hub.ClientFor(HubRoles.Admin).GetAsync(url), HttpStatusCode.BadRequest);
        Assert.Contains(parameter, text);
    }

    [Theory]
    [InlineData("/release/releaseDate")]
    [InlineData("/person/dateOfBirth")]
    [InlineData("/treatmentNeed/ost/lastDoseDate")]
    public async Task Body_dates_at_the_calendar_edges_are_a_422_naming_the_field(string pointer)
    {
        foreach (var edge in new[] { "0001-01-01", "9999-12-31" })
        {
            var notification = Notifications.Example();
            var parts = pointer.Trim('/').Split('/');
            JsonNode node = notification;
            foreach (var part in parts[..^1]) node = node[part]!;
            node[parts[^1]] = edge;
            var text = await Problem(await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", notification), HttpStatusCode.UnprocessableEntity);
            Assert.Contains(pointer, text);
        }
    }

    [Fact]
    public async Task An_over_long_eventType_MessageId_or_NOMS_number_is_a_422_naming_it_and_nothing_is_stored()
    {
        var feed = hub.ClientFor(HubRoles.EventFeed);
        var before = await StoredRows();
        var longType = HmppsEvents.Event(new string('x', 5000), "2026-11-20T10:00:00Z", new JsonObject(), "unknown", null);
        Assert.Contains("/eventType", await Problem(await HmppsEvents.PostAsync(feed, longType), HttpStatusCode.UnprocessableEntity));
        var longId = HmppsEvents.Envelope(HmppsEvents.Release(Notifications.NewNomsNumber(), "2026-11-20T10:00:00Z"), new string('m', 5000));
        Assert.Contains("/MessageId", await Problem(await HmppsEvents.PostAsync(feed, longId), HttpStatusCode.UnprocessableEntity));
        var longNoms = HmppsEvents.Event("some.other.event", "2026-11-20T10:00:00Z", new JsonObject { ["nomsNumber"] = new string('A', 3000) }, "other", null);
        Assert.Contains("nomsNumber", await Problem(await HmppsEvents.PostAsync(feed, longNoms), HttpStatusCode.UnprocessableEntity));
        Assert.Equal(before, await StoredRows());
    }

    [Fact]
    public async Task An_over_long_rejection_reason_is_a_422_on_both_paths()
    {
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example());
        var provider = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");
        var reason = new string('r', TextLimits.RejectionReason + 1);
        Assert.Contains("/reason", await Problem(await provider.PostAsJsonAsync($"/api/v1/referrals/{referralId}/reject", new { reason }), HttpStatusCode.UnprocessableEntity));
        var task = JsonNode.Parse(await provider.GetStringAsync($"/fhir/Task/{referralId}"))!;
        task["status"] = "rejected";
        task["statusReason"] = new JsonObject { ["text"] = reason };
        var put = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Task/{referralId}")
        {
            Content = new StringContent(task.ToJsonString(), Encoding.UTF8, "application/fhir+json"),
        };
        put.Headers.TryAddWithoutValidation("If-Match", "W/\"1\"");
        Assert.Contains("statusReason.text", await Problem(await provider.SendAsync(put), HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task A_query_value_with_NUL_is_a_400_for_every_endpoint()
    {
        var admin = hub.ClientFor(HubRoles.Admin);
        await Problem(await admin.GetAsync("/api/v1/caseload?pdu=%00"), HttpStatusCode.BadRequest);
        await Problem(await admin.GetAsync("/fhir/Task?owner=a%00b"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_database_refuses_an_over_long_value_that_slipped_past_the_API()
    {
        // The backstop: migration 0015's CHECK constraints (the API refuses first; this proves the database would too).
        await using var db = hub.Db();
        var key = $"k-{Guid.NewGuid()}";
        var length = TextLimits.EventType + 1;
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.Database.ExecuteSqlAsync(
            $"INSERT INTO hmpps_events (id, deduplication_key, content_hash, event_type, payload, received_at, outcome) VALUES (gen_random_uuid(), {key}, 'h', repeat('x', {length}), '{{}}', now(), 'received')"));
        Assert.Equal(Npgsql.PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    public async Task A_batch_of_more_than_10000_rows_is_a_413_naming_the_limit_and_nothing_is_written(string format)
    {
        var before = await StoredRows();
        var rows = ReleaseBatchEndpoint.MaxRows + 1;
        HttpContent content;
        if (format == "json")
        {
            content = Json("[" + string.Join(",", Enumerable.Repeat("{}", rows)) + "]");
        }
        else
        {
            var csv = new StringBuilder("notificationId,nomsNumber,givenName,familyName,dateOfBirth,prisonCode,releaseDate,status,substances,consentToShare\n");
            for (var i = 0; i < rows; i++) csv.Append(Guid.NewGuid()).Append(",A0000AA,Sam,Example,1985-03-14,ONI,2026-12-01,planned,opiates,true\n");
            content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
        }
        var text = await Problem(await hub.PrisonClient().PostAsync("/api/v1/releases/batch", content), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("10000", text);
        Assert.Equal(before, await StoredRows());
    }
}
