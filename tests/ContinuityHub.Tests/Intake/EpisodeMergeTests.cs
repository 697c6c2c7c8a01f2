using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Intake;

/// <summary>One episode per release: the 14-day merge and the release-date precedence rules (contract §4.1).</summary>
public sealed class EpisodeMergeTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private async Task<JsonElement> Send(System.Text.Json.Nodes.JsonObject notification, HttpClient? client = null)
    {
        var response = await (client ?? hub.PrisonClient("ONI", "WDI")).PostAsJsonAsync("/api/v1/releases", notification);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_notification_within_14_days_of_an_open_episode_updates_it_and_the_latest_planned_date_wins()
    {
        var noms = Notifications.NewNomsNumber();
        var first = await Send(Notifications.Example(noms, releaseDate: "2026-12-01"));
        var second = await Send(Notifications.Example(noms, releaseDate: "2026-12-15")); // exactly 14 days later
        var third = await Send(Notifications.Example(noms, releaseDate: "2026-12-10"));

        Assert.Equal(first.GetProperty("episodeId").GetGuid(), second.GetProperty("episodeId").GetGuid());
        Assert.Equal(first.GetProperty("episodeId").GetGuid(), third.GetProperty("episodeId").GetGuid());
        Assert.Equal(first.GetProperty("referralId").GetGuid(), third.GetProperty("referralId").GetGuid());
        Assert.Equal("updated", third.GetProperty("referralOutcome").GetString());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(new DateOnly(2026, 12, 10), episode.ReleaseDate);
        Assert.Equal(3, episode.Version);
        Assert.Equal(3, (await db.Referrals.SingleAsync(r => r.EpisodeId == episode.Id)).Version);
    }

    [Fact]
    public async Task A_notification_more_than_14_days_away_opens_a_new_episode()
    {
        var noms = Notifications.NewNomsNumber();
        var first = await Send(Notifications.Example(noms, releaseDate: "2026-12-01"));
        var later = await Send(Notifications.Example(noms, releaseDate: "2026-12-16")); // 15 days

        Assert.NotEqual(first.GetProperty("episodeId").GetGuid(), later.GetProperty("episodeId").GetGuid());
        await using var db = hub.Db();
        Assert.Equal(2, await db.Episodes.CountAsync(e => e.NomsNumber == noms));
        Assert.Equal(1, await db.People.CountAsync(p => p.NomsNumber == noms));
    }

    [Fact]
    public async Task A_confirmed_date_is_never_overridden_by_a_planned_one()
    {
        var noms = Notifications.NewNomsNumber();
        await Send(Notifications.Example(noms, releaseDate: "2026-11-20", status: "released"));
        await Send(Notifications.Example(noms, releaseDate: "2026-11-25", status: "planned"));

        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(new DateOnly(2026, 11, 20), episode.ReleaseDate);
        Assert.True(episode.ReleaseDateConfirmed);
        Assert.Equal("community-release", episode.ReleaseClassification);
    }

    [Fact]
    public async Task Prison_and_probation_notifications_about_one_release_merge_into_one_episode()
    {
        var noms = Notifications.NewNomsNumber();
        var prison = await Send(Notifications.Example(noms, releaseDate: "2026-12-01"));
        var fromProbation = Notifications.Example(noms, releaseDate: "2026-12-02");
        fromProbation["source"] = "probation";
        var probation = await Send(fromProbation, hub.ClientFor(HubRoles.Probation, pdus: ["N56NNE"]));

        Assert.Equal(prison.GetProperty("episodeId").GetGuid(), probation.GetProperty("episodeId").GetGuid());
    }

    [Fact]
    public async Task Without_consent_the_episode_is_tracked_but_no_referral_is_shared()
    {
        var noms = Notifications.NewNomsNumber();
        var body = await Send(Notifications.Example(noms, consent: false));

        Assert.Equal(JsonValueKind.Null, body.GetProperty("referralId").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("serviceRequest").ValueKind);
        Assert.Equal("not-shared-no-consent", body.GetProperty("referralOutcome").GetString());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.False(episode.ConsentToShare);
        Assert.False(await db.Referrals.AnyAsync(r => r.EpisodeId == episode.Id));
    }

    [Fact]
    public async Task Consent_withdrawn_later_cancels_the_shared_referral()
    {
        var noms = Notifications.NewNomsNumber();
        var first = await Send(Notifications.Example(noms));
        var withdrawn = await Send(Notifications.Example(noms, consent: false));

        Assert.Equal("cancelled-consent-withdrawn", withdrawn.GetProperty("referralOutcome").GetString());
        await using var db = hub.Db();
        Assert.Equal("cancelled", (await db.Referrals.SingleAsync(r => r.Id == first.GetProperty("referralId").GetGuid())).TaskStatus);
    }

    [Fact]
    public async Task No_need_and_no_covering_provider_are_tracked_without_a_referral()
    {
        var noNeed = await Send(Notifications.Example(substances: []));
        Assert.Equal("no-treatment-need", noNeed.GetProperty("referralOutcome").GetString());

        var outOfArea = await Send(Notifications.Example(postcode: "MK1 1AA"));
        Assert.Equal("no-provider-for-destination", outOfArea.GetProperty("referralOutcome").GetString());
    }

    [Fact]
    public async Task Routing_follows_the_destination_postcode_or_the_given_local_authority()
    {
        var west = await Send(Notifications.Example(postcode: "NN1 1AA"));
        var explicitAuthority = Notifications.Example(postcode: null);
        explicitAuthority["release"]!["destination"]!["localAuthorityCode"] = "E06000061";
        var north = await Send(explicitAuthority);

        await using var db = hub.Db();
        Assert.Equal("EXS2SW", (await db.Referrals.SingleAsync(r => r.Id == west.GetProperty("referralId").GetGuid())).ProviderOds);
        Assert.Equal("EXS2SN", (await db.Referrals.SingleAsync(r => r.Id == north.GetProperty("referralId").GetGuid())).ProviderOds);
    }

    [Fact]
    public async Task Concurrent_notifications_for_one_person_still_make_one_episode()
    {
        var noms = Notifications.NewNomsNumber();
        var client = hub.PrisonClient("ONI");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PostAsJsonAsync("/api/v1/releases", Notifications.Example(noms, releaseDate: $"2026-12-0{1 + i % 5}"))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        await using var db = hub.Db();
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == noms));
        Assert.Equal(1, await db.Referrals.CountAsync(r => r.Episode!.NomsNumber == noms));
    }

    [Fact]
    public async Task The_same_notification_sent_concurrently_is_taken_in_once_and_answered_alike()
    {
        var notification = Notifications.Example(Notifications.NewNomsNumber());
        var client = hub.PrisonClient("ONI");
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.PostAsJsonAsync("/api/v1/releases", notification)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        await using var db = hub.Db();
        var id = Guid.Parse(notification["notificationId"]!.GetValue<string>());
        Assert.Equal(1, await db.ReleaseNotifications.CountAsync(n => n.NotificationId == id));
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == "release-notification.receive" && a.ResourceId == JsonDocument.Parse(bodies[0]).RootElement.GetProperty("episodeId").GetString()));
    }

    [Fact]
    public async Task The_outcome_of_a_notification_can_be_read_back_within_scope()
    {
        var notification = Notifications.Example(prisonCode: "ONI");
        var created = await Send(notification);
        var id = notification["notificationId"]!.GetValue<string>();

        var mine = await hub.PrisonClient("ONI").GetFromJsonAsync<JsonElement>($"/api/v1/releases/{id}");
        Assert.Equal(created.GetProperty("episodeId").GetGuid(), mine.GetProperty("episodeId").GetGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await hub.PrisonClient("WDI").GetAsync($"/api/v1/releases/{id}")).StatusCode);
    }
}
