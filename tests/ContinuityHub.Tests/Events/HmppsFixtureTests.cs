using System.Net;
using ContinuityHub.Data;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Events;

/// <summary>
/// The real HMPPS events of shared/fixtures/hmpps, posted as-is in their SNS envelopes (contract §4.2).
/// Their NOMS numbers are fixed, so this class keeps them to itself (its own database).
/// </summary>
public sealed class HmppsFixtureTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task The_released_fixture_confirms_a_community_release_on_the_London_date_of_occurredAt_with_need_unknown()
    {
        var response = await HmppsEvents.PostAsync(hub.ClientFor(HubRoles.EventFeed), HmppsEvents.Fixture("prisoner-released.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await HmppsEvents.BodyAsync(response);
        Assert.Equal("release-confirmed", body.GetProperty("outcome").GetString());
        Assert.Equal("prison-offender-events.prisoner.released", body.GetProperty("eventType").GetString());

        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == "A0001AA");
        Assert.Equal(body.GetProperty("episodeId").GetGuid(), episode.Id);
        Assert.Equal(new DateOnly(2022, 5, 4), episode.ReleaseDate); // 2022-05-04T07:03:50+01:00
        Assert.Equal("hmpps-event", episode.ReleaseDateSource);
        Assert.True(episode.ReleaseDateConfirmed);
        Assert.Equal("community-release", episode.ReleaseClassification);
        Assert.Equal("NCS", episode.MovementReasonCode);
        Assert.False(episode.MovementReasonUnknown);
        Assert.Equal("WSI", episode.PrisonCode);
        Assert.False(episode.NeedKnown);
        Assert.Empty(episode.Substances);
        Assert.Equal(EpisodeStatus.Open, episode.Status);
        Assert.Null(episode.ExclusionReason);
        Assert.True(await db.People.AnyAsync(p => p.NomsNumber == "A0001AA"));
        Assert.False(await db.Referrals.AnyAsync(r => r.EpisodeId == episode.Id)); // need unknown: nothing to refer yet

        var stored = await db.HmppsEvents.SingleAsync(e => e.NomsNumber == "A0001AA");
        Assert.Equal("682dd2a4-c193-461c-a8e9-cc976a961aa5", stored.MessageId);
        Assert.Equal("release-confirmed", stored.Outcome);
        Assert.Equal(episode.Id, stored.EpisodeId);
        Assert.Contains("\"nomisMovementReasonCode\":\"NCS\"", stored.Payload.Replace(" ", ""));
    }

    [Fact]
    public async Task The_died_fixture_without_personReference_is_classified_died_and_excludes_its_episode()
    {
        var response = await HmppsEvents.PostAsync(hub.ClientFor(HubRoles.EventFeed), HmppsEvents.Fixture("prisoner-died.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await HmppsEvents.BodyAsync(response);
        Assert.Equal("release-not-to-community", body.GetProperty("outcome").GetString());

        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == "A0378AY"); // NOMS only in additionalInformation
        Assert.Equal(body.GetProperty("episodeId").GetGuid(), episode.Id);
        Assert.Equal("died", episode.ReleaseClassification);
        Assert.Equal("DEC", episode.MovementReasonCode);
        Assert.Equal(EpisodeStatus.Excluded, episode.Status);
        Assert.Equal("died", episode.ExclusionReason);
        Assert.Equal(new DateOnly(2023, 2, 24), episode.ExclusionDate);
        Assert.Equal(new DateOnly(2023, 2, 24), episode.ReleaseDate);
        Assert.Equal("hmpps-event", episode.ReleaseDateSource);
    }

    [Fact]
    public async Task The_received_fixture_excludes_the_open_episode_whose_window_holds_the_admission_date()
    {
        var client = hub.ClientFor(HubRoles.EventFeed);
        // A release 15 days before the fixture's admission (2023-08-04); events have no plausibility window.
        var release = await HmppsEvents.PostAsync(client, HmppsEvents.Release("A0006AA", "2023-07-20T10:00:00+01:00"));
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        var episodeId = (await HmppsEvents.BodyAsync(release)).GetProperty("episodeId").GetGuid();

        var response = await HmppsEvents.PostAsync(client, HmppsEvents.Fixture("prisoner-received-recalled.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await HmppsEvents.BodyAsync(response);
        Assert.Equal("excluded-returned-to-custody", body.GetProperty("outcome").GetString());
        Assert.Equal(episodeId, body.GetProperty("episodeId").GetGuid());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.Id == episodeId);
        Assert.Equal(EpisodeStatus.Excluded, episode.Status);
        Assert.Equal("returnedToCustody", episode.ExclusionReason);
        Assert.Equal(new DateOnly(2023, 8, 4), episode.ExclusionDate);
        Assert.Equal(new DateOnly(2023, 7, 20), episode.ReleaseDate);
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == "A0006AA"));
        Assert.Equal("excluded-returned-to-custody",
            (await db.HmppsEvents.SingleAsync(e => e.MessageId == "a7c8e4ab-5d55-45a5-b69d-2ad0539245de")).Outcome);
    }
}

/// <summary>
/// prisoner-released.json and prisoner-died.json reuse one SNS MessageId for different events: each is its
/// own event (contract §4.2), and the reuse is logged as a warning. Own class: own database.
/// </summary>
public sealed class HmppsMessageIdReuseTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task A_reused_MessageId_with_other_content_is_applied_as_a_new_event_and_logged_as_a_warning()
    {
        var client = hub.ClientFor(HubRoles.EventFeed);
        var first = await HmppsEvents.PostAsync(client, HmppsEvents.Fixture("prisoner-released.json"));
        Assert.DoesNotContain("reused", hub.Log.All);
        var second = await HmppsEvents.PostAsync(client, HmppsEvents.Fixture("prisoner-died.json"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("release-confirmed", (await HmppsEvents.BodyAsync(first)).GetProperty("outcome").GetString());
        Assert.Equal("release-not-to-community", (await HmppsEvents.BodyAsync(second)).GetProperty("outcome").GetString());

        await using var db = hub.Db();
        var stored = await db.HmppsEvents.Where(e => e.MessageId == "682dd2a4-c193-461c-a8e9-cc976a961aa5").ToListAsync();
        Assert.Equal(2, stored.Count);
        Assert.Equal(2, stored.Select(e => e.ContentHash).Distinct().Count());
        Assert.Equal(EpisodeStatus.Excluded, (await db.Episodes.SingleAsync(e => e.NomsNumber == "A0378AY")).Status);
        Assert.Equal(EpisodeStatus.Open, (await db.Episodes.SingleAsync(e => e.NomsNumber == "A0001AA")).Status);

        var warning = Assert.Single(hub.Log.Lines, l => l.Contains("reused"));
        Assert.Contains("\"Level\":\"Warning\"", warning);
        Assert.Contains("682dd2a4-c193-461c-a8e9-cc976a961aa5", warning);

        // And the fixture delivered again is a redelivery of the died event, not a third one.
        var again = await HmppsEvents.PostAsync(client, HmppsEvents.Fixture("prisoner-died.json"));
        Assert.Equal("duplicate", (await HmppsEvents.BodyAsync(again)).GetProperty("outcome").GetString());
        await using var after = hub.Db();
        Assert.Equal(2, await after.HmppsEvents.CountAsync());
    }
}
