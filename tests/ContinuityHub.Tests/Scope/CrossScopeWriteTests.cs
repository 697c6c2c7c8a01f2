using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Scope;

/// <summary>
/// Scope on every write: a message may change an episode only within the sender's scope, or as a transfer when
/// the person's identity agrees; otherwise 409 identity-conflict, nothing written, the conflict listed for ADMIN.
/// </summary>
public sealed class CrossScopeWriteTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string OtherNhsNumber = "4010232137";

    /// <summary>WDI's release of a person (Sam Example, 1985-03-14, NHS 9434765919), as WDI's healthcare team sent it.</summary>
    private async Task<(string Noms, Guid EpisodeId, Guid? ReferralId)> WoodhillReleaseAsync(string releaseDate = "2026-12-01")
    {
        var noms = Notifications.NewNomsNumber();
        var response = await hub.PrisonClient("WDI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(noms, releaseDate: releaseDate, prisonCode: "WDI"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (noms, body.GetProperty("episodeId").GetGuid(),
            body.GetProperty("referralId").ValueKind == JsonValueKind.String ? body.GetProperty("referralId").GetGuid() : null);
    }

    /// <summary>Someone else under the same NOMS number: other names, date of birth and NHS number.</summary>
    private static JsonObject Impostor(string noms, string prisonCode = "ONI", string releaseDate = "2026-12-05")
    {
        var notification = Notifications.Example(noms, releaseDate: releaseDate, prisonCode: prisonCode);
        notification["person"]!["givenName"] = "Alex";
        notification["person"]!["familyName"] = "Other";
        notification["person"]!["dateOfBirth"] = "1990-01-01";
        notification["person"]!["nhsNumber"] = OtherNhsNumber;
        notification["person"]!["crn"] = "Y999999";
        return notification;
    }

    private static async Task AssertIdentityConflictAsync(HttpResponseMessage response, string noms)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("https://continuityhub.example.org/problems/identity-conflict", problem.GetProperty("type").GetString());
        // No personal data: not the person held, not what was sent, not where the record is.
        foreach (var secret in new[] { noms, "Sam", "Example", "1985-03-14", "9434765919", "X123456", "Alex", "Other", "1990-01-01", OtherNhsNumber, "WDI" })
            Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public async Task A_notification_from_another_prison_about_someone_else_under_the_same_NOMS_number_is_refused_and_changes_nothing()
    {
        var (noms, episodeId, referralId) = await WoodhillReleaseAsync();
        await using var before = hub.Db();
        var episodeBefore = await before.Episodes.AsNoTracking().SingleAsync(e => e.Id == episodeId);
        var personBefore = await before.People.AsNoTracking().SingleAsync(p => p.NomsNumber == noms);
        var outboxBefore = await before.Set<ContinuityHub.Features.Notifications.QueuedEmail>().CountAsync();
        var attack = Impostor(noms);
        var oni = hub.PrisonClient("ONI");

        var response = await oni.PostAsJsonAsync("/api/v1/releases", attack);

        await AssertIdentityConflictAsync(response, noms);
        await using var db = hub.Db();
        var episode = await db.Episodes.AsNoTracking().SingleAsync(e => e.Id == episodeId);
        Assert.Equal(("WDI", episodeBefore.Version, episodeBefore.ReleaseDate), (episode.PrisonCode, episode.Version, episode.ReleaseDate));
        var person = await db.People.AsNoTracking().SingleAsync(p => p.NomsNumber == noms);
        Assert.Equal((personBefore.GivenName, personBefore.FamilyName, personBefore.DateOfBirth, personBefore.NhsNumber, personBefore.Crn, personBefore.UpdatedAt),
            (person.GivenName, person.FamilyName, person.DateOfBirth, person.NhsNumber, person.Crn, person.UpdatedAt));
        var notificationId = Guid.Parse((string)attack["notificationId"]!);
        Assert.False(await db.ReleaseNotifications.AnyAsync(n => n.NotificationId == notificationId));
        Assert.Equal(outboxBefore, await db.Set<ContinuityHub.Features.Notifications.QueuedEmail>().CountAsync());
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == noms));
        var conflict = await db.Set<IdentityConflict>().SingleAsync(c => c.NotificationId == notificationId);
        Assert.Equal((ConflictChannels.ReleaseNotification, ConflictReasons.IdentityDisagrees, person.Id, (Guid?)episodeId),
            (conflict.Channel, conflict.Reason, conflict.PersonId, conflict.EpisodeId));
        Assert.Equal("nhsNumber", conflict.DisagreeingFields);

        // And ONI still cannot read WDI's referral or the person.
        Assert.Equal(HttpStatusCode.Forbidden, (await oni.GetAsync($"/fhir/ServiceRequest/{referralId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oni.GetAsync($"/fhir/Patient/{person.Id}")).StatusCode);
        // A retry is refused alike.
        Assert.Equal(HttpStatusCode.Conflict, (await oni.PostAsJsonAsync("/api/v1/releases", attack)).StatusCode);
    }

    [Fact]
    public async Task Without_an_NHS_number_the_date_of_birth_and_family_name_must_agree()
    {
        var (noms, episodeId, _) = await WoodhillReleaseAsync();
        var attack = Impostor(noms);
        attack["person"]!.AsObject().Remove("nhsNumber");
        attack["person"]!["familyName"] = "Example"; // the right family name, the wrong date of birth

        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", attack);

        await AssertIdentityConflictAsync(response, noms);
        await using var db = hub.Db();
        Assert.Equal("dateOfBirth", (await db.Set<IdentityConflict>().SingleAsync(c => c.EpisodeId == episodeId)).DisagreeingFields);
    }

    [Fact]
    public async Task A_new_release_elsewhere_may_not_rewrite_the_identity_of_a_person_held_outside_the_senders_scope()
    {
        var (noms, _, _) = await WoodhillReleaseAsync(releaseDate: "2026-06-01");
        // Months later, so no episode to merge into: it would open a new one, and overwrite the person.
        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Impostor(noms, releaseDate: "2026-12-05"));

        await AssertIdentityConflictAsync(response, noms);
        await using var db = hub.Db();
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == noms));
        Assert.Equal("Example", (await db.People.SingleAsync(p => p.NomsNumber == noms)).FamilyName);
    }

    [Fact]
    public async Task An_agreeing_identity_moves_the_episode_to_the_new_prison_and_records_the_transfer_without_rewriting_the_person()
    {
        var (noms, episodeId, referralId) = await WoodhillReleaseAsync();
        var transfer = Notifications.Example(noms, releaseDate: "2026-12-03", prisonCode: "ONI");
        transfer["person"]!.AsObject().Remove("nhsNumber");
        transfer["person"]!["familyName"] = "  EXAMPLÉ "; // the same family name, told differently
        transfer["person"]!["givenName"] = "Samuel";

        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", transfer);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(episodeId, body.GetProperty("episodeId").GetGuid());
        Assert.Equal(referralId, body.GetProperty("referralId").GetGuid());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.Id == episodeId);
        Assert.Equal(("ONI", new DateOnly(2026, 12, 3)), (episode.PrisonCode, episode.ReleaseDate));
        var moved = await db.Set<EpisodeTransfer>().SingleAsync(t => t.EpisodeId == episodeId);
        Assert.Equal((TransferKinds.Prison, "WDI", "ONI", IdentityAgreement.ByDateOfBirthAndFamilyName),
            (moved.Kind, moved.FromCode, moved.ToCode, moved.AgreedBy));
        Assert.Equal(Guid.Parse((string)transfer["notificationId"]!), moved.NotificationId);
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "episode.transfer.prison" && a.ResourceId == episodeId.ToString()));
        // The person was held outside ONI's scope: what the hub held stays, only blanks are filled.
        var person = await db.People.SingleAsync(p => p.NomsNumber == noms);
        Assert.Equal(("Sam", "Example", "9434765919"), (person.GivenName, person.FamilyName, person.NhsNumber));
        // ONI now holds the release, so it may read it; WDI no longer does.
        Assert.Equal(HttpStatusCode.OK, (await hub.PrisonClient("ONI").GetAsync($"/fhir/ServiceRequest/{referralId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.PrisonClient("WDI").GetAsync($"/fhir/ServiceRequest/{referralId}")).StatusCode);
    }

    [Fact]
    public async Task The_same_NHS_number_is_an_agreeing_identity()
    {
        var (noms, episodeId, _) = await WoodhillReleaseAsync();
        var transfer = Impostor(noms);
        transfer["person"]!["nhsNumber"] = "9434765919";

        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", transfer);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = hub.Db();
        Assert.Equal(IdentityAgreement.ByNhsNumber, (await db.Set<EpisodeTransfer>().SingleAsync(t => t.EpisodeId == episodeId)).AgreedBy);
        Assert.Equal("1985-03-14", (await db.People.SingleAsync(p => p.NomsNumber == noms)).DateOfBirth?.ToString("yyyy-MM-dd"));
    }

    [Fact]
    public async Task Within_its_own_scope_a_prison_team_still_corrects_the_persons_details()
    {
        var (noms, episodeId, _) = await WoodhillReleaseAsync();
        var correction = Impostor(noms, prisonCode: "WDI");

        var response = await hub.PrisonClient("WDI").PostAsJsonAsync("/api/v1/releases", correction);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = hub.Db();
        Assert.Equal("Other", (await db.People.SingleAsync(p => p.NomsNumber == noms)).FamilyName);
        Assert.False(await db.Set<EpisodeTransfer>().AnyAsync(t => t.EpisodeId == episodeId));
    }

    private static JsonObject FromProbation(JsonObject notification, string pduCode)
    {
        notification["source"] = "probation";
        notification["contacts"]!["probationPractitioner"]!["pduCode"] = pduCode;
        return notification;
    }

    [Fact]
    public async Task A_probation_notification_from_another_delivery_unit_needs_an_agreeing_identity_and_then_transfers_the_episode()
    {
        var (noms, episodeId, _) = await WoodhillReleaseAsync(); // delivery unit N56NNE
        var otherUnit = hub.ClientFor(HubRoles.Probation, pdus: ["N57XYZ"]);

        var refused = await otherUnit.PostAsJsonAsync("/api/v1/releases", FromProbation(Impostor(noms, prisonCode: "WDI"), "N57XYZ"));
        await AssertIdentityConflictAsync(refused, noms);
        await using (var db = hub.Db())
            Assert.Equal("N56NNE", (await db.Episodes.SingleAsync(e => e.Id == episodeId)).PduCode);

        var agreeing = await otherUnit.PostAsJsonAsync("/api/v1/releases", FromProbation(Notifications.Example(noms, prisonCode: "WDI"), "N57XYZ"));
        Assert.Equal(HttpStatusCode.Created, agreeing.StatusCode);
        await using (var db = hub.Db())
        {
            Assert.Equal("N57XYZ", (await db.Episodes.SingleAsync(e => e.Id == episodeId)).PduCode);
            var moved = await db.Set<EpisodeTransfer>().SingleAsync(t => t.EpisodeId == episodeId);
            Assert.Equal((TransferKinds.DeliveryUnit, "N56NNE", "N57XYZ"), (moved.Kind, moved.FromCode, moved.ToCode));
        }
    }

    [Fact]
    public async Task In_a_CSV_batch_the_conflicting_row_is_rejected_as_an_identity_conflict_and_the_others_go_in()
    {
        var (noms, episodeId, _) = await WoodhillReleaseAsync();
        string[] header = ["notificationId", "source", "nomsNumber", "nhsNumber", "givenName", "familyName", "dateOfBirth",
            "prisonCode", "releaseDate", "status", "postcode", "substances", "consentToShare"];
        string Line(string notificationNoms, string family, string dob) => string.Join(",",
            Guid.NewGuid(), "prison-healthcare", notificationNoms, "", "Alex", family, dob, "ONI", "2026-12-04", "planned", "NN17 1AA", "opiates", "true");
        var fine = Notifications.NewNomsNumber();
        var csv = new StringBuilder(string.Join(",", header)).Append("\r\n")
            .Append(Line(noms, "Other", "1990-01-01")).Append("\r\n")
            .Append(Line(fine, "Other", "1990-01-01")).Append("\r\n").ToString();

        var response = await hub.PrisonClient("ONI").PostAsync("/api/v1/releases/batch", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var results = JsonDocument.Parse(text).RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["rejected", "accepted"], results.Select(r => r.GetProperty("outcome").GetString()));
        Assert.StartsWith("identity-conflict", results[0].GetProperty("problems")[0].GetProperty("detail").GetString());
        Assert.DoesNotContain("Example", text);
        await using var db = hub.Db();
        Assert.Equal("WDI", (await db.Episodes.SingleAsync(e => e.Id == episodeId)).PrisonCode);
        Assert.True(await db.Set<IdentityConflict>().AnyAsync(c => c.EpisodeId == episodeId));
        Assert.True(await db.Episodes.AnyAsync(e => e.NomsNumber == fine));
    }

    private static JsonObject IdentifierAdded(string noms, string crn) => new()
    {
        ["eventType"] = "probation-case.prison-identifier.added",
        ["version"] = 1,
        ["occurredAt"] = "2026-11-16T10:00:00Z",
        ["additionalInformation"] = new JsonObject { ["prisonerNumber"] = noms },
        ["personReference"] = new JsonObject
        {
            ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "CRN", ["value"] = crn }, new JsonObject { ["type"] = "NOMS", ["value"] = noms }),
        },
    };

    [Fact]
    public async Task An_event_relinking_a_NOMS_number_to_a_different_CRN_is_recorded_as_a_conflict_and_not_applied()
    {
        var (noms, _, _) = await WoodhillReleaseAsync(); // CRN X123456
        var feed = hub.ClientFor(HubRoles.EventFeed);

        var response = await HmppsEvents.PostAsync(feed, HmppsEvents.Envelope(IdentifierAdded(noms, "Z111111")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = await HmppsEvents.BodyAsync(response);
        Assert.Equal("identity-conflict", receipt.GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var person = await db.People.SingleAsync(p => p.NomsNumber == noms);
        Assert.Equal("X123456", person.Crn);
        var conflict = await db.Set<IdentityConflict>().SingleAsync(c => c.EventId == receipt.GetProperty("eventId").GetGuid());
        Assert.Equal((ConflictChannels.HmppsEvent, ConflictReasons.CrnRelink, (Guid?)person.Id), (conflict.Channel, conflict.Reason, conflict.PersonId));
        Assert.Equal("identity-conflict", (await db.HmppsEvents.SingleAsync(e => e.Id == conflict.EventId)).Outcome);

        // The same CRN again is no change at all.
        var same = await HmppsEvents.BodyAsync(await HmppsEvents.PostAsync(feed, HmppsEvents.Envelope(IdentifierAdded(noms, "X123456"))));
        Assert.Equal("identifiers-linked", same.GetProperty("outcome").GetString());
    }
}
