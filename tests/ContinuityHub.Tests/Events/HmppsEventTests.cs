using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Data;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Events;

/// <summary>POST /api/v1/events/hmpps (contract §4.2): variants, idempotency, ordering, storage and access.</summary>
public sealed class HmppsEventTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private HttpClient Feed() => hub.ClientFor(HubRoles.EventFeed);

    private async Task<JsonElement> PostOkAsync(JsonNode body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await HmppsEvents.PostAsync(Feed(), body);
        Assert.Equal(expected, response.StatusCode);
        return await HmppsEvents.BodyAsync(response);
    }

    // ---- release dates and idempotency ----

    [Theory]
    [InlineData("2026-06-30T23:30:00Z", "2026-07-01")]      // BST: already the next day in London
    [InlineData("2026-01-15T00:30:00+01:00", "2026-01-14")] // GMT: still the previous day in London
    [InlineData("2026-03-29T00:30:00Z", "2026-03-29")]      // the night the clocks go forward
    public async Task The_release_date_is_occurredAt_as_a_Europe_London_date(string occurredAt, string expected)
    {
        var noms = Notifications.NewNomsNumber();
        var body = await PostOkAsync(HmppsEvents.Envelope(HmppsEvents.Release(noms, occurredAt)));

        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(body.GetProperty("episodeId").GetGuid(), episode.Id);
        Assert.Equal(DateOnly.Parse(expected), episode.ReleaseDate);
    }

    [Fact]
    public async Task A_raw_event_without_an_envelope_is_accepted_and_deduplicated_by_type_occurredAt_and_NOMS_number()
    {
        var noms = Notifications.NewNomsNumber();
        var ev = HmppsEvents.Release(noms, "2026-11-20T09:00:00Z");
        var first = await PostOkAsync(ev);
        Assert.Equal("release-confirmed", first.GetProperty("outcome").GetString());

        // A redelivery whose other members differ (publishedAt, description, same instant in another offset) is the same event.
        var redelivered = HmppsEvents.Release(noms, "2026-11-20T09:00:00+00:00");
        redelivered["occurredAt"] = "2026-11-20T10:00:00+01:00";
        redelivered["publishedAt"] = "2026-11-20T10:05:00+01:00";
        redelivered["description"] = "published again";
        var second = await PostOkAsync(redelivered);
        Assert.Equal("duplicate", second.GetProperty("outcome").GetString());
        Assert.Equal(first.GetProperty("eventId").GetGuid(), second.GetProperty("eventId").GetGuid());
        Assert.Equal(first.GetProperty("episodeId").GetGuid(), second.GetProperty("episodeId").GetGuid());

        await using var db = hub.Db();
        var stored = Assert.Single(await db.HmppsEvents.Where(e => e.NomsNumber == noms).ToListAsync());
        Assert.Null(stored.MessageId);
        Assert.Equal("release-confirmed", stored.Outcome);
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == noms));
    }

    [Fact]
    public async Task Raw_events_of_another_type_or_time_for_the_same_person_are_not_duplicates()
    {
        var noms = Notifications.NewNomsNumber();
        await PostOkAsync(HmppsEvents.Release(noms, "2026-11-01T09:00:00Z"));
        var later = await PostOkAsync(HmppsEvents.Release(noms, "2026-11-01T09:00:01Z"));
        var otherType = HmppsEvents.Release(noms, "2026-11-01T09:00:00Z");
        otherType["eventType"] = "prisoner-offender-search.prisoner.released";
        var other = await PostOkAsync(otherType);

        Assert.NotEqual("duplicate", later.GetProperty("outcome").GetString());
        Assert.NotEqual("duplicate", other.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        Assert.Equal(3, await db.HmppsEvents.CountAsync(e => e.NomsNumber == noms));
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == noms)); // still one release
    }

    [Fact]
    public async Task The_same_envelope_delivered_twice_is_applied_once()
    {
        var noms = Notifications.NewNomsNumber();
        var envelope = HmppsEvents.Envelope(HmppsEvents.Release(noms, "2026-11-18T08:00:00Z"));

        var first = await PostOkAsync(envelope);
        var second = await PostOkAsync(envelope);

        Assert.Equal("release-confirmed", first.GetProperty("outcome").GetString());
        Assert.Equal("duplicate", second.GetProperty("outcome").GetString());
        Assert.Equal(first.GetProperty("eventId").GetGuid(), second.GetProperty("eventId").GetGuid());
        await using var db = hub.Db();
        var stored = Assert.Single(await db.HmppsEvents.Where(e => e.NomsNumber == noms).ToListAsync());
        Assert.Equal((string)envelope["MessageId"]!, stored.MessageId);
        Assert.Equal("release-confirmed", stored.Outcome);
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(1, episode.Version);
    }

    // ---- movement reason codes and reasons ----

    [Theory]
    [InlineData("HO", "hospital", "hospital")]
    [InlineData("DD", "removed-from-uk", "removedFromUk")]
    [InlineData("DEC", "died", "died")]
    public async Task A_release_not_to_the_community_is_recorded_and_excludes_the_episode(string code, string classification, string reason)
    {
        var noms = Notifications.NewNomsNumber();
        var body = await PostOkAsync(HmppsEvents.Release(noms, "2026-11-10T11:00:00Z", movementReasonCode: code));

        Assert.Equal("release-not-to-community", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(classification, episode.ReleaseClassification);
        Assert.Equal(EpisodeStatus.Excluded, episode.Status);
        Assert.Equal(reason, episode.ExclusionReason);
        Assert.Equal(new DateOnly(2026, 11, 10), episode.ExclusionDate);
        Assert.False(episode.MovementReasonUnknown);
    }

    [Theory]
    [InlineData("UAL")]
    [InlineData("ESCP")]
    public async Task A_movement_that_is_not_a_release_creates_no_episode(string code)
    {
        var noms = Notifications.NewNomsNumber();
        var body = await PostOkAsync(HmppsEvents.Release(noms, "2026-11-10T11:00:00Z", movementReasonCode: code));

        Assert.Equal("recorded-no-community-release", body.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("episodeId").ValueKind);
        await using var db = hub.Db();
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
        Assert.Equal("recorded-no-community-release", (await db.HmppsEvents.SingleAsync(e => e.NomsNumber == noms)).Outcome);
    }

    [Fact]
    public async Task An_unknown_movement_reason_code_is_a_community_release_flagged_for_review()
    {
        var noms = Notifications.NewNomsNumber();
        var body = await PostOkAsync(HmppsEvents.Release(noms, "2026-11-10T11:00:00Z", movementReasonCode: "ZZZ"));

        Assert.Equal("release-confirmed", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal("community-release", episode.ReleaseClassification);
        Assert.True(episode.MovementReasonUnknown);
        Assert.Equal("ZZZ", episode.MovementReasonCode);
        Assert.Equal(EpisodeStatus.Open, episode.Status);
        Assert.Contains(hub.Log.Lines, l => l.Contains("ZZZ") && l.Contains("\"Level\":\"Warning\""));
    }

    [Fact]
    public async Task A_lower_case_known_code_is_classified_like_the_upper_case_one()
    {
        var noms = Notifications.NewNomsNumber();
        await PostOkAsync(HmppsEvents.Release(noms, "2026-11-10T11:00:00Z", movementReasonCode: "cr"));
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal("community-release", episode.ReleaseClassification);
        Assert.False(episode.MovementReasonUnknown);
    }

    [Theory]
    [InlineData("TRANSFERRED")]
    [InlineData("SENT_TO_COURT")]
    [InlineData("TEMPORARY_ABSENCE_RELEASE")]
    [InlineData("RELEASED_TO_HOSPITAL")]
    public async Task A_released_event_with_another_reason_records_no_community_release(string reason)
    {
        var noms = Notifications.NewNomsNumber();
        var body = await PostOkAsync(HmppsEvents.Release(noms, "2026-11-10T11:00:00Z", reason: reason));

        Assert.Equal("recorded-no-community-release", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
        var stored = await db.HmppsEvents.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal("recorded-no-community-release", stored.Outcome);
        Assert.Contains(reason, stored.Payload);
    }

    [Fact]
    public async Task A_release_with_a_null_prisonId_still_opens_an_episode()
    {
        var noms = Notifications.NewNomsNumber();
        var body = await PostOkAsync(HmppsEvents.Envelope(HmppsEvents.Release(noms, "2026-11-12T10:00:00Z", prisonId: null)));

        Assert.Equal("release-confirmed", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Null(episode.PrisonCode);
        Assert.Equal(new DateOnly(2026, 11, 12), episode.ReleaseDate);
    }

    [Fact]
    public async Task A_release_without_personReference_takes_the_NOMS_number_from_additionalInformation()
    {
        var noms = Notifications.NewNomsNumber();
        var ev = HmppsEvents.Release(noms, "2026-11-12T10:00:00Z", personReference: false);
        Assert.Null(ev["personReference"]);
        var body = await PostOkAsync(HmppsEvents.Envelope(ev));

        Assert.Equal("release-confirmed", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        Assert.Equal(body.GetProperty("episodeId").GetGuid(), (await db.Episodes.SingleAsync(e => e.NomsNumber == noms)).Id);
    }

    [Fact]
    public async Task A_NOMS_number_only_in_personReference_is_used()
    {
        var noms = Notifications.NewNomsNumber();
        var ev = HmppsEvents.Release(noms, "2026-11-12T10:00:00Z");
        ev["additionalInformation"]!.AsObject().Remove("nomsNumber");
        var body = await PostOkAsync(ev);

        Assert.Equal("release-confirmed", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        Assert.True(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
    }

    // ---- unknown types, identifier links ----

    [Fact]
    public async Task An_unknown_event_type_answers_202_and_is_stored_as_recorded_and_ignored()
    {
        var ev = new JsonObject
        {
            ["eventType"] = "prison-offender-events.prisoner.cell-move",
            ["occurredAt"] = "2026-11-20T10:00:00Z",
            ["additionalInformation"] = new JsonObject { ["something"] = "else" },
        };
        var envelope = HmppsEvents.Envelope(ev);
        var response = await HmppsEvents.PostAsync(Feed(), envelope);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await HmppsEvents.BodyAsync(response);
        Assert.Equal("recorded-ignored", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var stored = await db.HmppsEvents.SingleAsync(e => e.MessageId == (string)envelope["MessageId"]!);
        Assert.Equal("prison-offender-events.prisoner.cell-move", stored.EventType);
        Assert.Equal("recorded-ignored", stored.Outcome);
        Assert.Contains("cell-move", stored.Payload);
    }

    [Fact]
    public async Task An_unknown_event_type_without_who_or_when_is_still_accepted()
    {
        var response = await HmppsEvents.PostAsync(Feed(), new JsonObject { ["eventType"] = "some-other-service.thing.happened" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("recorded-ignored", (await HmppsEvents.BodyAsync(response)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_prison_identifier_added_event_links_the_CRN_to_the_NOMS_number()
    {
        var noms = Notifications.NewNomsNumber();
        // The person is known from a release first.
        await PostOkAsync(HmppsEvents.Release(noms, "2026-11-15T10:00:00Z"));
        var ev = new JsonObject
        {
            ["eventType"] = "probation-case.prison-identifier.added",
            ["version"] = 1,
            ["occurredAt"] = "2026-11-16T10:00:00Z",
            ["description"] = "A prison identifier has been added to a probation case",
            ["additionalInformation"] = new JsonObject { ["prisonerNumber"] = noms, ["bookingId"] = "1234" },
            ["personReference"] = new JsonObject
            {
                ["identifiers"] = new JsonArray(
                    new JsonObject { ["type"] = "CRN", ["value"] = "X654321" },
                    new JsonObject { ["type"] = "NOMS", ["value"] = noms }),
            },
        };
        var body = await PostOkAsync(HmppsEvents.Envelope(ev));

        Assert.Equal("identifiers-linked", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var person = await db.People.SingleAsync(p => p.NomsNumber == noms);
        Assert.Equal("X654321", person.Crn);
    }

    [Fact]
    public async Task A_licence_activated_event_links_a_CRN_for_a_person_the_hub_did_not_know()
    {
        var noms = Notifications.NewNomsNumber();
        var ev = new JsonObject
        {
            ["eventType"] = "create-and-vary-a-licence.licence.activated",
            ["version"] = 1,
            ["occurredAt"] = "2026-11-16T10:00:00Z",
            ["additionalInformation"] = new JsonObject { ["licenceId"] = "99" },
            ["personReference"] = new JsonObject
            {
                ["identifiers"] = new JsonArray(
                    new JsonObject { ["type"] = "CRN", ["value"] = "x765432" },
                    new JsonObject { ["type"] = "NOMS", ["value"] = noms }),
            },
        };
        var body = await PostOkAsync(ev);

        Assert.Equal("identifiers-linked", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        Assert.Equal("X765432", (await db.People.SingleAsync(p => p.NomsNumber == noms)).Crn);
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
    }

    // ---- received back into custody ----

    [Fact]
    public async Task An_admission_within_the_window_excludes_a_not_yet_engaged_episode_opened_by_a_notification()
    {
        var noms = Notifications.NewNomsNumber();
        var notification = Notifications.Example(noms, releaseDate: "2026-11-10", status: "released");
        var created = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", notification);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var episodeId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("episodeId").GetGuid();

        var body = await PostOkAsync(HmppsEvents.Envelope(HmppsEvents.Admission(noms, "2026-11-20T15:00:00Z")));

        Assert.Equal("excluded-returned-to-custody", body.GetProperty("outcome").GetString());
        Assert.Equal(episodeId, body.GetProperty("episodeId").GetGuid());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.Id == episodeId);
        Assert.Equal(EpisodeStatus.Excluded, episode.Status);
        Assert.Equal("returnedToCustody", episode.ExclusionReason);
        Assert.Equal(new DateOnly(2026, 11, 20), episode.ExclusionDate);
    }

    [Theory]
    [InlineData("2026-11-06")] // engaged before the admission
    [InlineData("2026-11-08")] // engaged on the day of the admission: still counts as engaged
    public async Task An_admission_does_not_exclude_an_episode_engaged_on_or_before_the_admission_date(string engagedOn)
    {
        var noms = Notifications.NewNomsNumber();
        var release = await PostOkAsync(HmppsEvents.Release(noms, "2026-11-01T10:00:00Z"));
        var episodeId = release.GetProperty("episodeId").GetGuid();
        await using (var setup = hub.Db())
        {
            var episode = await setup.Episodes.SingleAsync(e => e.Id == episodeId);
            episode.EngagedOn = DateOnly.Parse(engagedOn);
            episode.Status = EpisodeStatus.Engaged;
            await setup.SaveChangesAsync();
        }

        var body = await PostOkAsync(HmppsEvents.Admission(noms, "2026-11-08T09:00:00Z"));

        Assert.NotEqual("excluded-returned-to-custody", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var after = await db.Episodes.SingleAsync(e => e.Id == episodeId);
        Assert.Equal(EpisodeStatus.Engaged, after.Status);
        Assert.Null(after.ExclusionReason);
        Assert.Null(after.ExclusionDate);
    }

    [Fact]
    public async Task An_admission_before_a_later_engagement_still_excludes()
    {
        var noms = Notifications.NewNomsNumber();
        var episodeId = (await PostOkAsync(HmppsEvents.Release(noms, "2026-11-01T10:00:00Z"))).GetProperty("episodeId").GetGuid();
        await using (var setup = hub.Db())
        {
            var episode = await setup.Episodes.SingleAsync(e => e.Id == episodeId);
            episode.EngagedOn = new DateOnly(2026, 11, 12);
            episode.Status = EpisodeStatus.Engaged;
            await setup.SaveChangesAsync();
        }

        var body = await PostOkAsync(HmppsEvents.Admission(noms, "2026-11-08T09:00:00Z"));

        Assert.Equal("excluded-returned-to-custody", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        Assert.Equal("returnedToCustody", (await db.Episodes.SingleAsync(e => e.Id == episodeId)).ExclusionReason);
    }

    [Fact]
    public async Task An_admission_after_the_21_day_window_excludes_nothing()
    {
        var noms = Notifications.NewNomsNumber();
        var episodeId = (await PostOkAsync(HmppsEvents.Release(noms, "2026-10-01T10:00:00Z"))).GetProperty("episodeId").GetGuid();

        var body = await PostOkAsync(HmppsEvents.Admission(noms, "2026-10-23T09:00:00Z")); // day 22

        Assert.Equal("recorded-no-episode-in-window", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.Id == episodeId);
        Assert.Equal(EpisodeStatus.Open, episode.Status);
        Assert.Null(episode.ExclusionReason);
    }

    [Fact]
    public async Task An_admission_on_day_21_still_excludes()
    {
        var noms = Notifications.NewNomsNumber();
        var episodeId = (await PostOkAsync(HmppsEvents.Release(noms, "2026-10-01T10:00:00Z"))).GetProperty("episodeId").GetGuid();

        var body = await PostOkAsync(HmppsEvents.Admission(noms, "2026-10-22T21:00:00Z")); // 22:00 BST on day 21

        Assert.Equal("excluded-returned-to-custody", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        Assert.Equal(new DateOnly(2026, 10, 22), (await db.Episodes.SingleAsync(e => e.Id == episodeId)).ExclusionDate);
    }

    [Fact]
    public async Task A_received_event_that_is_not_an_admission_excludes_nothing()
    {
        var noms = Notifications.NewNomsNumber();
        var episodeId = (await PostOkAsync(HmppsEvents.Release(noms, "2026-11-01T10:00:00Z"))).GetProperty("episodeId").GetGuid();

        var body = await PostOkAsync(HmppsEvents.Admission(noms, "2026-11-05T09:00:00Z", reason: "TEMPORARY_ABSENCE_RETURN"));

        Assert.Equal("recorded-not-an-admission", body.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        Assert.Equal(EpisodeStatus.Open, (await db.Episodes.SingleAsync(e => e.Id == episodeId)).Status);
    }

    // ---- events and notifications in any order ----

    [Fact]
    public async Task A_release_event_before_the_notification_opens_the_episode_the_notification_then_merges_into()
    {
        var noms = Notifications.NewNomsNumber();
        var ev = await PostOkAsync(HmppsEvents.Envelope(HmppsEvents.Release(noms, "2026-11-20T10:30:00Z", prisonId: "ONI")));
        var episodeId = ev.GetProperty("episodeId").GetGuid();
        await using (var before = hub.Db())
        {
            var opened = await before.Episodes.SingleAsync(e => e.Id == episodeId);
            Assert.False(opened.NeedKnown);
            Assert.False(opened.HasTreatmentNeed);
        }

        // A planned notification, 5 days later than the confirmed date: same release, the planned date must not win.
        var notification = Notifications.Example(noms, releaseDate: "2026-11-25", status: "planned", substances: ["opiates", "alcohol"]);
        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", notification);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(episodeId, body.GetProperty("episodeId").GetGuid());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(episodeId, episode.Id);
        Assert.Equal(new DateOnly(2026, 11, 20), episode.ReleaseDate);
        Assert.Equal("hmpps-event", episode.ReleaseDateSource);
        Assert.Equal("community-release", episode.ReleaseClassification);
        Assert.True(episode.NeedKnown);
        Assert.Equal(["opiates", "alcohol"], episode.Substances);
        Assert.True(episode.HasTreatmentNeed);
        Assert.Equal("EXS2SN", episode.ProviderOds);
        var referral = await db.Referrals.SingleAsync(r => r.EpisodeId == episodeId);
        Assert.Equal(body.GetProperty("referralId").GetGuid(), referral.Id);
    }

    [Fact]
    public async Task A_release_event_after_a_planned_notification_confirms_the_date_of_the_same_episode()
    {
        var noms = Notifications.NewNomsNumber();
        var notification = Notifications.Example(noms, releaseDate: "2026-11-25", status: "planned");
        var created = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", notification);
        var episodeId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("episodeId").GetGuid();

        var ev = await PostOkAsync(HmppsEvents.Release(noms, "2026-11-21T10:00:00Z"));

        Assert.Equal(episodeId, ev.GetProperty("episodeId").GetGuid());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(new DateOnly(2026, 11, 21), episode.ReleaseDate);
        Assert.Equal("hmpps-event", episode.ReleaseDateSource);
        Assert.True(episode.NeedKnown); // the event does not forget what the notification said
        Assert.Equal(["opiates", "crack"], episode.Substances);
    }

    // ---- storage and validation ----

    [Fact]
    public async Task Every_accepted_event_is_stored_with_its_payload()
    {
        var noms = Notifications.NewNomsNumber();
        var events = new JsonNode[]
        {
            HmppsEvents.Envelope(HmppsEvents.Release(noms, "2026-11-01T10:00:00Z")),
            HmppsEvents.Admission(noms, "2026-11-03T10:00:00Z"),
            HmppsEvents.Release(noms, "2026-11-01T10:00:00Z", reason: "TRANSFERRED"),
        };
        var ids = new List<Guid>();
        foreach (var ev in events)
        {
            var response = await HmppsEvents.PostAsync(Feed(), ev);
            Assert.True(response.IsSuccessStatusCode);
            ids.Add((await HmppsEvents.BodyAsync(response)).GetProperty("eventId").GetGuid());
        }

        await using var db = hub.Db();
        var stored = await db.HmppsEvents.Where(e => ids.Contains(e.Id)).ToListAsync();
        Assert.Equal(3, stored.Count);
        foreach (var row in stored)
        {
            Assert.NotEqual("received", row.Outcome); // applied after being stored
            using var payload = JsonDocument.Parse(row.Payload);
            // The event itself is stored, unwrapped from any envelope.
            Assert.Equal(row.EventType, payload.RootElement.GetProperty("eventType").GetString());
            Assert.Equal(noms, payload.RootElement.GetProperty("additionalInformation").GetProperty("nomsNumber").GetString());
            Assert.Equal(noms, row.NomsNumber);
            Assert.NotNull(row.OccurredAt);
            Assert.Equal(HubFactory.DefaultNow, row.ReceivedAt);
        }
    }

    [Theory]
    [InlineData("{\"eventType\": \"prison-offender-events.prisoner.released\",")]
    [InlineData("not json at all")]
    public async Task A_malformed_body_is_400_and_writes_nothing(string body)
    {
        await using var db = hub.Db();
        var before = await db.HmppsEvents.CountAsync();

        var response = await HmppsEvents.PostAsync(Feed(), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await db.HmppsEvents.CountAsync());
    }

    [Fact]
    public async Task An_envelope_whose_Message_is_not_JSON_is_rejected_and_writes_nothing()
    {
        await using var db = hub.Db();
        var before = await db.HmppsEvents.CountAsync();
        var envelope = HmppsEvents.Envelope(HmppsEvents.Release(Notifications.NewNomsNumber(), "2026-11-01T10:00:00Z"));
        envelope["Message"] = "{ not json";

        var response = await HmppsEvents.PostAsync(Feed(), envelope);

        Assert.False(response.IsSuccessStatusCode);
        var problem = await HmppsEvents.BodyAsync(response);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("pointer").GetString() == "/Message");
        Assert.Equal(before, await db.HmppsEvents.CountAsync());
    }

    [Fact]
    public async Task A_known_event_type_without_a_NOMS_number_is_422_with_a_pointer_and_writes_nothing()
    {
        await using var db = hub.Db();
        var before = await db.HmppsEvents.CountAsync();
        var ev = HmppsEvents.Release("A1234BC", "2026-11-01T10:00:00Z", personReference: false);
        ev["additionalInformation"]!.AsObject().Remove("nomsNumber");

        var raw = await HmppsEvents.PostAsync(Feed(), ev);
        var wrapped = await HmppsEvents.PostAsync(Feed(), HmppsEvents.Envelope(ev));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, raw.StatusCode);
        Assert.Equal("application/problem+json", raw.Content.Headers.ContentType?.MediaType);
        Assert.Contains((await HmppsEvents.BodyAsync(raw)).GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("pointer").GetString() == "/additionalInformation/nomsNumber");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrapped.StatusCode);
        Assert.Contains((await HmppsEvents.BodyAsync(wrapped)).GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("pointer").GetString() == "/Message/additionalInformation/nomsNumber");
        Assert.Equal(before, await db.HmppsEvents.CountAsync());
    }

    [Fact]
    public async Task A_release_event_without_occurredAt_or_with_a_bad_one_is_422_and_writes_nothing()
    {
        await using var db = hub.Db();
        var before = await db.HmppsEvents.CountAsync();
        var missing = HmppsEvents.Release(Notifications.NewNomsNumber(), "2026-11-01T10:00:00Z");
        missing.Remove("occurredAt");
        var bad = HmppsEvents.Release(Notifications.NewNomsNumber(), "yesterday");

        var first = await HmppsEvents.PostAsync(Feed(), missing);
        var second = await HmppsEvents.PostAsync(Feed(), bad);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, first.StatusCode);
        Assert.Contains((await HmppsEvents.BodyAsync(first)).GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("pointer").GetString() == "/occurredAt");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Contains((await HmppsEvents.BodyAsync(second)).GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("pointer").GetString() == "/occurredAt");
        Assert.Equal(before, await db.HmppsEvents.CountAsync());
    }

    // ---- access ----

    [Fact]
    public async Task Without_a_token_the_answer_is_401()
    {
        var response = await HmppsEvents.PostAsync(hub.CreateClient(), HmppsEvents.Release(Notifications.NewNomsNumber(), "2026-11-01T10:00:00Z"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(HubRoles.PrisonHealthcare)]
    [InlineData(HubRoles.Probation)]
    [InlineData(HubRoles.Commissioner)]
    public async Task Another_role_than_EVENT_FEED_gets_403_and_writes_nothing(string role)
    {
        var noms = Notifications.NewNomsNumber();
        var client = role == HubRoles.PrisonHealthcare ? hub.PrisonClient("ONI") : hub.ClientFor(role, pdus: ["*"]);

        var response = await HmppsEvents.PostAsync(client, HmppsEvents.Release(noms, "2026-11-01T10:00:00Z"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await using var db = hub.Db();
        Assert.False(await db.HmppsEvents.AnyAsync(e => e.NomsNumber == noms));
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
    }

    [Fact]
    public async Task An_invalid_token_is_401()
    {
        var client = hub.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.token");
        var response = await HmppsEvents.PostAsync(client, HmppsEvents.Release(Notifications.NewNomsNumber(), "2026-11-01T10:00:00Z"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    // ---- robustness ----

    [Fact]
    public async Task An_unknown_event_type_with_an_unreadable_occurredAt_is_still_recorded_and_ignored()
    {
        var envelope = HmppsEvents.Envelope(new JsonObject
        {
            ["eventType"] = "some-other-service.thing.happened",
            ["occurredAt"] = "last Tuesday",
        });
        var response = await HmppsEvents.PostAsync(Feed(), envelope);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await using var db = hub.Db();
        Assert.Equal("recorded-ignored", (await db.HmppsEvents.SingleAsync(e => e.MessageId == (string)envelope["MessageId"]!)).Outcome);
    }

    [Fact]
    public async Task An_event_holding_a_NUL_character_is_refused_with_a_pointer_not_a_server_error()
    {
        var noms = Notifications.NewNomsNumber();
        var ev = HmppsEvents.Release(noms, "2026-11-01T10:00:00Z");
        ev["description"] = "released" + (char)0;

        var raw = await HmppsEvents.PostAsync(Feed(), ev);
        var wrapped = await HmppsEvents.PostAsync(Feed(), HmppsEvents.Envelope(ev));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, raw.StatusCode);
        Assert.Contains((await HmppsEvents.BodyAsync(raw)).GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("pointer").GetString() == "/description");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrapped.StatusCode);
        Assert.Contains((await HmppsEvents.BodyAsync(wrapped)).GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("pointer").GetString() == "/Message/description");
        await using var db = hub.Db();
        Assert.False(await db.HmppsEvents.AnyAsync(e => e.NomsNumber == noms));
    }

    [Fact]
    public async Task The_same_envelope_delivered_concurrently_is_applied_once()
    {
        var noms = Notifications.NewNomsNumber();
        var envelope = HmppsEvents.Envelope(HmppsEvents.Release(noms, "2026-11-19T08:00:00Z")).ToJsonString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => HmppsEvents.PostAsync(Feed(), envelope)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var outcomes = new List<string?>();
        foreach (var r in responses) outcomes.Add((await HmppsEvents.BodyAsync(r)).GetProperty("outcome").GetString());
        Assert.Equal(1, outcomes.Count(o => o == "release-confirmed"));
        Assert.Equal(5, outcomes.Count(o => o == "duplicate"));
        await using var db = hub.Db();
        Assert.Equal(1, await db.HmppsEvents.CountAsync(e => e.NomsNumber == noms));
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == noms));
    }

    [Fact]
    public async Task Different_events_about_one_release_arriving_concurrently_make_one_episode()
    {
        var noms = Notifications.NewNomsNumber();
        var first = HmppsEvents.Release(noms, "2026-11-19T08:00:00Z");
        var second = HmppsEvents.Release(noms, "2026-11-19T08:00:00Z");
        second["eventType"] = "prisoner-offender-search.prisoner.released";

        var responses = await Task.WhenAll(HmppsEvents.PostAsync(Feed(), first), HmppsEvents.PostAsync(Feed(), second));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await using var db = hub.Db();
        Assert.Equal(2, await db.HmppsEvents.CountAsync(e => e.NomsNumber == noms));
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == noms));
        Assert.Equal(1, await db.People.CountAsync(p => p.NomsNumber == noms));
    }
}
