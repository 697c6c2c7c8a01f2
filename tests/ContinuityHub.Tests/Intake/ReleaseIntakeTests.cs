using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Intake;

/// <summary>POST /api/v1/releases (contract §4.1): acceptance, idempotency, conflict, routing and consent.</summary>
public sealed class ReleaseIntakeTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task A_valid_notification_is_created_with_links_to_its_referral()
    {
        var notification = Notifications.Example();
        var response = await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", notification);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var referralId = body.GetProperty("referralId").GetString();
        Assert.Equal($"/api/v1/releases/{notification["notificationId"]}", response.Headers.Location?.OriginalString);
        Assert.Equal($"/fhir/ServiceRequest/{referralId}", body.GetProperty("serviceRequest").GetString());
        Assert.Equal($"/fhir/Task/{referralId}", body.GetProperty("task").GetString());
        Assert.Equal("created", body.GetProperty("referralOutcome").GetString());

        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.Id == body.GetProperty("episodeId").GetGuid());
        Assert.Equal("E06000061", episode.LocalAuthorityCode); // NN17 → North Northamptonshire
        Assert.Equal("EXS2SN", episode.ProviderOds);
        Assert.Equal("opiate", episode.SubstanceGroup);
        var referral = await db.Referrals.SingleAsync(r => r.EpisodeId == episode.Id);
        Assert.Equal("EXS2SN", referral.ProviderOds);
        Assert.Equal("requested", referral.TaskStatus);
    }

    [Fact]
    public async Task The_same_notification_again_answers_200_with_the_same_body_and_writes_nothing_more()
    {
        var client = hub.PrisonClient();
        var notification = Notifications.Example();
        var first = await client.PostAsJsonAsync("/api/v1/releases", notification);
        // Same content, members in another order and other spacing: still the same notification.
        var reordered = JsonNode.Parse(notification.ToJsonString())!.AsObject();
        var person = reordered["person"]!;
        reordered.Remove("person");
        reordered["person"] = person;
        var second = await client.PostAsync("/api/v1/releases",
            new StringContent(reordered.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        await using var db = hub.Db();
        var noms = (string)notification["person"]!["nomsNumber"]!;
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == noms));
        Assert.Equal(1, await db.Referrals.CountAsync(r => r.Episode!.NomsNumber == noms));
    }

    [Fact]
    public async Task The_same_notification_id_with_other_content_is_a_conflict_and_changes_nothing()
    {
        var client = hub.PrisonClient();
        var notification = Notifications.Example();
        await client.PostAsJsonAsync("/api/v1/releases", notification);
        var changed = JsonNode.Parse(notification.ToJsonString())!.AsObject();
        changed["release"]!["releaseDate"] = "2026-12-03";

        var response = await client.PostAsJsonAsync("/api/v1/releases", changed);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await using var db = hub.Db();
        var noms = (string)notification["person"]!["nomsNumber"]!;
        Assert.Equal(new DateOnly(2026, 12, 1), (await db.Episodes.SingleAsync(e => e.NomsNumber == noms)).ReleaseDate);
    }
}
