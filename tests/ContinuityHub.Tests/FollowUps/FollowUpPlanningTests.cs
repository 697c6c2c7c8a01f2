using System.Net;
using System.Net.Http.Json;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>
/// Contract §6's schedule per episode, planned, re-planned and cancelled in the same transaction as every change
/// to the episode; the sweep runs each open one when its fire time has passed. The test clock is 2026-11-22
/// 10:00 UTC (GMT); follow-ups are planned here, never run.
/// </summary>
public sealed class FollowUpPlanningTests(FollowUpHub hub) : IClassFixture<FollowUpHub>
{
    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(Guid ReferralId, Guid EpisodeId)> Release(string releaseDate, string status = "planned", string? noms = null) =>
        await hub.SubmitReleaseAsync(Notifications.Example(nomsNumber: noms, releaseDate: releaseDate, status: status));

    private async Task<List<(string Checkpoint, DateTimeOffset DueAt, string State)>> PlanOf(Guid episodeId) =>
        (await hub.FollowUpsAsync(episodeId)).Select(f => (f.Checkpoint, f.DueAt, f.State)).ToList();

    /// <summary>When the sweep will run each checkpoint (its fire time while scheduled), or null when it will not.</summary>
    private async Task<Dictionary<string, DateTimeOffset?>> SweepTimesOf(Guid episodeId) =>
        (await hub.FollowUpsAsync(episodeId)).ToDictionary(f => f.Checkpoint,
            f => f.State == FollowUpStates.Scheduled ? f.FireAt : (DateTimeOffset?)null);

    [Fact]
    public async Task A_release_next_week_gets_all_five_follow_ups_at_09_00_London_and_the_window_close_at_midnight_after_day_21()
    {
        var (_, episodeId) = await Release("2026-11-29");

        Assert.Equal(
        [
            ("day-before-release", Utc("2026-11-28T09:00:00"), "scheduled"),
            ("day-2-escalation", Utc("2026-12-01T09:00:00"), "scheduled"),
            ("day-7-alert", Utc("2026-12-06T09:00:00"), "scheduled"),
            ("day-14-alert", Utc("2026-12-13T09:00:00"), "scheduled"),
            ("window-close", Utc("2026-12-21T00:00:00"), "scheduled"),
        ], await PlanOf(episodeId));
        var sweepTimes = await SweepTimesOf(episodeId);
        Assert.Equal(Utc("2026-11-28T09:00:00"), sweepTimes["day-before-release"]);
        Assert.Equal(Utc("2026-12-21T00:00:00"), sweepTimes["window-close"]);
        Assert.All(sweepTimes.Values, t => Assert.NotNull(t));
    }

    [Fact]
    public async Task A_release_today_skips_the_day_before_reminder_that_is_already_past_and_schedules_the_rest()
    {
        var (_, episodeId) = await Release("2026-11-22", status: "released");

        Assert.Equal(
        [
            ("day-before-release", Utc("2026-11-21T09:00:00"), "skipped"),
            ("day-2-escalation", Utc("2026-11-24T09:00:00"), "scheduled"),
            ("day-7-alert", Utc("2026-11-29T09:00:00"), "scheduled"),
            ("day-14-alert", Utc("2026-12-06T09:00:00"), "scheduled"),
            ("window-close", Utc("2026-12-14T00:00:00"), "scheduled"),
        ], await PlanOf(episodeId));
        var sweepTimes = await SweepTimesOf(episodeId);
        Assert.Null(sweepTimes["day-before-release"]);
        Assert.Equal(Utc("2026-11-24T09:00:00"), sweepTimes["day-2-escalation"]);
    }

    [Fact]
    public async Task A_release_three_weeks_ago_only_has_its_window_close_left_in_British_Summer_Time_then_GMT()
    {
        // Released Sunday 1 November 2026 (GMT since 25 October): day 21 is today, 22 November.
        var (_, episodeId) = await Release("2026-11-01", status: "released");

        Assert.Equal(
        [
            ("day-before-release", Utc("2026-10-31T09:00:00"), "skipped"),
            ("day-2-escalation", Utc("2026-11-03T09:00:00"), "skipped"),
            ("day-7-alert", Utc("2026-11-08T09:00:00"), "skipped"),
            ("day-14-alert", Utc("2026-11-15T09:00:00"), "skipped"),
            ("window-close", Utc("2026-11-23T00:00:00"), "scheduled"),
        ], await PlanOf(episodeId));
        Assert.All((await hub.FollowUpsAsync(episodeId)).Where(f => f.State == "skipped"), f => Assert.Equal(FollowUpPlanner.PastWhenPlanned, f.Outcome));
        var sweepTimes = await SweepTimesOf(episodeId);
        Assert.Equal(Utc("2026-11-23T00:00:00"), sweepTimes["window-close"]);
        Assert.Null(sweepTimes["day-14-alert"]);
    }

    [Fact]
    public async Task Across_the_spring_and_autumn_clock_changes_reminders_stay_at_09_00_local_time()
    {
        var wasNow = hub.Clock.GetUtcNow();
        hub.Clock.Set(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
        try
        {
            // Clocks go forward on Sunday 29 March 2026; release on Friday 27 March.
            var (_, spring) = await Release("2026-03-27");
            Assert.Equal(
            [
                ("day-before-release", Utc("2026-03-26T09:00:00"), "scheduled"), // GMT
                ("day-2-escalation", Utc("2026-03-29T08:00:00"), "scheduled"),   // the change day: 09:00 BST
                ("day-7-alert", Utc("2026-04-03T08:00:00"), "scheduled"),
                ("day-14-alert", Utc("2026-04-10T08:00:00"), "scheduled"),
                ("window-close", Utc("2026-04-17T23:00:00"), "scheduled"),       // 00:00 BST on 18 April
            ], await PlanOf(spring));
            Assert.Equal(Utc("2026-03-29T08:00:00"), (await SweepTimesOf(spring))["day-2-escalation"]);

            // Clocks go back on Sunday 25 October 2026; release on Sunday 4 October: day 21 is the change day.
            hub.Clock.Set(new DateTimeOffset(2026, 9, 20, 10, 0, 0, TimeSpan.Zero));
            var (_, autumn) = await Release("2026-10-04");
            Assert.Equal(
            [
                ("day-before-release", Utc("2026-10-03T08:00:00"), "scheduled"),
                ("day-2-escalation", Utc("2026-10-06T08:00:00"), "scheduled"),
                ("day-7-alert", Utc("2026-10-11T08:00:00"), "scheduled"),
                ("day-14-alert", Utc("2026-10-18T08:00:00"), "scheduled"),
                ("window-close", Utc("2026-10-26T00:00:00"), "scheduled"),       // 00:00 GMT on 26 October
            ], await PlanOf(autumn));
            Assert.Equal(Utc("2026-10-26T00:00:00"), (await SweepTimesOf(autumn))["window-close"]);
        }
        finally
        {
            hub.Clock.Set(wasNow);
        }
    }

    [Fact]
    public async Task A_moved_release_date_moves_the_open_follow_ups_and_their_fire_times()
    {
        var noms = Notifications.NewNomsNumber();
        var (_, episodeId) = await Release("2026-11-29", noms: noms);
        await SweepTimesOf(episodeId);

        // A later notification for the same release (within 14 days) with a new date.
        var (_, again) = await Release("2026-12-03", noms: noms);

        Assert.Equal(episodeId, again);
        Assert.Equal(
        [
            ("day-before-release", Utc("2026-12-02T09:00:00"), "scheduled"),
            ("day-2-escalation", Utc("2026-12-05T09:00:00"), "scheduled"),
            ("day-7-alert", Utc("2026-12-10T09:00:00"), "scheduled"),
            ("day-14-alert", Utc("2026-12-17T09:00:00"), "scheduled"),
            ("window-close", Utc("2026-12-25T00:00:00"), "scheduled"),
        ], await PlanOf(episodeId));
        var sweepTimes = await SweepTimesOf(episodeId);
        Assert.Equal(Utc("2026-12-02T09:00:00"), sweepTimes["day-before-release"]);
        Assert.Equal(Utc("2026-12-25T00:00:00"), sweepTimes["window-close"]);
        Assert.All(await hub.FollowUpsAsync(episodeId), f => Assert.Equal(2, f.PlanVersion));
    }

    [Fact]
    public async Task Engagement_cancels_the_open_follow_ups_so_the_sweep_never_runs_them()
    {
        var (referralId, episodeId) = await Release("2026-11-20", status: "released");
        Assert.NotNull((await SweepTimesOf(episodeId))["day-7-alert"]);

        var provider = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");
        var response = await provider.PostAsJsonAsync($"/api/v1/referrals/{referralId}/engagement", new { date = "2026-11-21" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var plan = await hub.FollowUpsAsync(episodeId);
        Assert.Equal(["skipped", "skipped", "cancelled", "cancelled", "cancelled"], plan.Select(f => f.State));
        Assert.All(plan.Where(f => f.State == "cancelled"), f => Assert.Equal("engaged", f.Outcome));
        Assert.All((await SweepTimesOf(episodeId)).Values, t => Assert.Null(t));
    }

    [Fact]
    public async Task An_admission_back_into_custody_cancels_the_open_follow_ups()
    {
        var noms = Notifications.NewNomsNumber();
        var (_, episodeId) = await Release("2026-11-20", status: "released", noms: noms);
        await SweepTimesOf(episodeId);

        var feed = hub.ClientFor(HubRoles.EventFeed);
        Assert.True((await HmppsEvents.PostAsync(feed, HmppsEvents.Admission(noms, "2026-11-21T14:00:00Z"))).IsSuccessStatusCode);

        Assert.All((await hub.FollowUpsAsync(episodeId)).Where(f => f.Outcome != FollowUpPlanner.PastWhenPlanned),
            f => Assert.Equal(("cancelled", "excluded"), (f.State, f.Outcome)));
        Assert.All((await SweepTimesOf(episodeId)).Values, t => Assert.Null(t));
    }

    [Fact]
    public async Task A_release_event_classified_as_died_excludes_the_episode_and_cancels_its_follow_ups()
    {
        var noms = Notifications.NewNomsNumber();
        var (_, episodeId) = await Release("2026-11-25", noms: noms);
        var feed = hub.ClientFor(HubRoles.EventFeed);
        Assert.True((await HmppsEvents.PostAsync(feed, HmppsEvents.Release(noms, "2026-11-21T10:00:00Z", movementReasonCode: "DEC"))).IsSuccessStatusCode);

        var plan = await hub.FollowUpsAsync(episodeId);
        Assert.DoesNotContain(plan, f => f.State == "scheduled");
        Assert.Contains(plan, f => f is { State: "cancelled", Outcome: "excluded" });
        Assert.All((await SweepTimesOf(episodeId)).Values, t => Assert.Null(t));
    }

    [Fact]
    public async Task A_release_with_no_treatment_need_gets_no_follow_ups()
    {
        var notification = Notifications.Example(releaseDate: "2026-11-29", substances: []);
        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", notification);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        if (response.StatusCode != HttpStatusCode.Created) return; // an empty substance list may be refused by validation: nothing to plan then
        Assert.Empty(await hub.FollowUpsAsync(body.GetProperty("episodeId").GetGuid()));
    }
}
