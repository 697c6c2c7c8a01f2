using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Features.Events;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Admin;

/// <summary>GET /api/v1/data-quality for ADMIN: the lists that need a person to look at them.</summary>
public sealed class DataQualityTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private async Task<JsonElement> ReportAsync(string query = "?pageSize=500")
    {
        var response = await hub.ClientFor(HubRoles.Admin).GetAsync($"/api/v1/data-quality{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<JsonElement> Items(JsonElement report, string section) => [.. report.GetProperty(section).GetProperty("items").EnumerateArray()];

    private async Task<Guid> EpisodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("episodeId").GetGuid();

    [Fact]
    public async Task Identity_conflicts_are_listed_by_ids_and_field_names_only()
    {
        var noms = Notifications.NewNomsNumber();
        var episodeId = await EpisodeOf(await hub.PrisonClient("WDI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(noms, prisonCode: "WDI")));
        var attack = Notifications.Example(noms, prisonCode: "ONI");
        attack["person"]!["nhsNumber"] = "4010232137";
        Assert.Equal(HttpStatusCode.Conflict, (await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", attack)).StatusCode);

        var report = await ReportAsync();

        var conflict = Assert.Single(Items(report, "identityConflicts"), c => c.GetProperty("episodeId").GetString() == episodeId.ToString());
        Assert.Equal(("release-notification", "identity-disagrees", "nhsNumber", (string)attack["notificationId"]!),
            (conflict.GetProperty("channel").GetString(), conflict.GetProperty("reason").GetString(),
             conflict.GetProperty("disagreeingFields").GetString(), conflict.GetProperty("notificationId").GetString()));
        var text = report.GetRawText();
        foreach (var personal in new[] { noms, "Sam", "Example", "1985-03-14", "9434765919", "4010232137" }) Assert.DoesNotContain(personal, text);
    }

    [Fact]
    public async Task Past_releases_still_planned_are_listed_and_confirmed_ones_are_not()
    {
        // The test clock says 2026-11-22.
        var planned = await EpisodeOf(await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", Notifications.Example(releaseDate: "2026-11-15")));
        var released = await EpisodeOf(await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", Notifications.Example(releaseDate: "2026-11-15", status: "released")));
        var future = await EpisodeOf(await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", Notifications.Example(releaseDate: "2026-12-15")));

        var items = Items(await ReportAsync(), "unconfirmedReleases");

        var item = Assert.Single(items, i => i.GetProperty("episodeId").GetGuid() == planned);
        Assert.Equal(("ONI", "2026-11-15", 7), (item.GetProperty("prisonCode").GetString(), item.GetProperty("releaseDate").GetString(), item.GetProperty("daysSinceRelease").GetInt32()));
        Assert.DoesNotContain(items, i => i.GetProperty("episodeId").GetGuid() == released || i.GetProperty("episodeId").GetGuid() == future);
    }

    [Fact]
    public async Task Events_that_matched_no_notification_are_listed()
    {
        var feed = hub.ClientFor(HubRoles.EventFeed);
        var alone = Notifications.NewNomsNumber();
        var released = await HmppsEvents.BodyAsync(await HmppsEvents.PostAsync(feed, HmppsEvents.Release(alone, "2026-11-15T10:00:00Z")));
        var admitted = await HmppsEvents.BodyAsync(await HmppsEvents.PostAsync(feed, HmppsEvents.Admission(Notifications.NewNomsNumber(), "2026-11-16T10:00:00Z")));
        var matchedNoms = Notifications.NewNomsNumber();
        await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", Notifications.Example(matchedNoms, releaseDate: "2026-11-15"));
        var matched = await HmppsEvents.BodyAsync(await HmppsEvents.PostAsync(feed, HmppsEvents.Release(matchedNoms, "2026-11-15T10:00:00Z")));

        var ids = Items(await ReportAsync(), "unmatchedEvents").Select(i => i.GetProperty("eventId").GetGuid()).ToList();

        Assert.Contains(released.GetProperty("eventId").GetGuid(), ids);
        Assert.Contains(admitted.GetProperty("eventId").GetGuid(), ids);
        Assert.DoesNotContain(matched.GetProperty("eventId").GetGuid(), ids);
    }

    [Fact]
    public async Task Episodes_without_an_NHS_number_are_listed()
    {
        var notification = Notifications.Example();
        notification["person"]!.AsObject().Remove("nhsNumber");
        var without = await EpisodeOf(await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", notification));
        var with = await EpisodeOf(await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", Notifications.Example()));

        var report = await ReportAsync();

        var ids = Items(report, "episodesWithoutNhsNumber").Select(i => i.GetProperty("episodeId").GetGuid()).ToList();
        Assert.Contains(without, ids);
        Assert.DoesNotContain(with, ids);
    }

    [Fact]
    public async Task Parked_events_are_listed_with_their_error_and_nothing_personal()
    {
        var noms = Notifications.NewNomsNumber();
        EventFaults.RefuseEpisodesOf(hub.ConnectionString, noms);
        var feed = hub.ClientFor(HubRoles.EventFeed);
        var release = HmppsEvents.Release(noms, "2026-11-19T10:00:00Z");
        JsonElement receipt = default;
        for (var attempt = 1; attempt <= HmppsEventService.MaxAttempts; attempt++) receipt = await HmppsEvents.BodyAsync(await HmppsEvents.PostAsync(feed, release));
        Assert.Equal(EventOutcomes.Parked, receipt.GetProperty("outcome").GetString());
        var healthy = await HmppsEvents.BodyAsync(await HmppsEvents.PostAsync(feed, HmppsEvents.Release(Notifications.NewNomsNumber(), "2026-11-19T10:00:00Z")));

        var report = await ReportAsync();

        var section = report.GetProperty("parkedEvents");
        var items = Items(report, "parkedEvents");
        Assert.True(section.GetProperty("count").GetInt32() >= 1);
        var parked = Assert.Single(items, i => i.GetProperty("eventId").GetGuid() == receipt.GetProperty("eventId").GetGuid());
        Assert.Equal((HmppsEvents.Released, HmppsEventService.MaxAttempts), (parked.GetProperty("eventType").GetString(), parked.GetProperty("attempts").GetInt32()));
        Assert.Contains("SQLSTATE P0001", parked.GetProperty("error").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-11-19T10:00:00Z"), parked.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.True(parked.TryGetProperty("parkedAt", out _));
        Assert.DoesNotContain(items, i => i.GetProperty("eventId").GetGuid() == healthy.GetProperty("eventId").GetGuid());
        Assert.DoesNotContain(noms, section.GetRawText());
    }

    [Fact]
    public async Task It_is_paged_and_a_bad_page_is_a_400_naming_it()
    {
        for (var i = 0; i < 3; i++)
        {
            var notification = Notifications.Example();
            notification["person"]!.AsObject().Remove("nhsNumber");
            await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", notification);
        }
        var page = await ReportAsync("?page=2&pageSize=1");
        Assert.Single(Items(page, "episodesWithoutNhsNumber"));
        Assert.True(page.GetProperty("episodesWithoutNhsNumber").GetProperty("count").GetInt32() >= 3);

        var bad = await hub.ClientFor(HubRoles.Admin).GetAsync("/api/v1/data-quality?page=-1&pageSize=x&section=all");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["section", "page", "pageSize"], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("parameter").GetString()));
    }
}
