using System.Net;
using System.Net.Http.Json;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>
/// What a follow-up does when it runs (contract §6), run as the sweep runs it: the claim, the §6
/// condition re-checked against the records as they are now, and the effect, once.
/// </summary>
public sealed class FollowUpRunTests(FollowUpHub hub) : IClassFixture<FollowUpHub>
{
    private static readonly DateTimeOffset PlanningTime = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private async Task<(Guid ReferralId, Guid EpisodeId, List<FollowUp> Plan)> Release(string releaseDate)
    {
        hub.Clock.Set(PlanningTime);
        var (referralId, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example(releaseDate: releaseDate));
        return (referralId, episodeId, await hub.FollowUpsAsync(episodeId));
    }

    private static FollowUp At(List<FollowUp> plan, string checkpoint) => plan.Single(f => f.Checkpoint == checkpoint);

    private async Task<List<OutboxRows.Row>> OutboxOf(Guid episodeId) => (await hub.OutboxAsync()).Where(r => r.EpisodeId == episodeId).ToList();

    [Fact]
    public async Task The_day_before_release_reminds_the_provider_and_the_prison_team_once_with_identifiers_and_dates_only()
    {
        var (referralId, episodeId, plan) = await Release("2026-11-29");
        var reminder = At(plan, "day-before-release");
        hub.Clock.Set(reminder.DueAt.AddMinutes(1));

        Assert.Equal(FollowUpRunResult.Done, await hub.RunAsync(reminder.Id));
        Assert.Equal(FollowUpRunResult.NotClaimed, await hub.RunAsync(reminder.Id)); // a second firing

        var sent = await OutboxOf(episodeId);
        Assert.Equal(
        [
            ($"{episodeId}:day-before-release:prison-team", "follow-up.day-before-release", "prison-team", "healthcare.oni@example.nhs.uk"),
            ($"{episodeId}:day-before-release:provider", "follow-up.day-before-release", "provider", "s2s.north@example.org.uk"),
        ], sent.Select(r => (r.Reference, r.TemplateKey, r.RecipientRole, r.EmailAddress)));
        foreach (var row in sent)
        {
            Assert.Contains(referralId.ToString(), row.Personalisation);
            Assert.Contains("\"releaseDate\": \"2026-11-29\"", row.Personalisation);
            // No names, date of birth or NHS number of the person (Notifications.Example's values).
            Assert.DoesNotContain("Sam", row.Personalisation);
            Assert.DoesNotContain("Example", row.Personalisation);
            Assert.DoesNotContain("1985-03-14", row.Personalisation);
            Assert.DoesNotContain("9434765919", row.Personalisation);
        }
        var done = At(await hub.FollowUpsAsync(episodeId), "day-before-release");
        Assert.Equal(("done", 1, "2 emails queued"), (done.State, done.Attempts, done.Outcome));
        Assert.Equal(reminder.DueAt.AddMinutes(1), done.RanAt);
    }

    [Fact]
    public async Task A_follow_up_whose_condition_no_longer_holds_does_nothing()
    {
        var (referralId, episodeId, plan) = await Release("2026-11-29");
        var provider = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");
        Assert.Equal(HttpStatusCode.OK, (await provider.PostAsync($"/api/v1/referrals/{referralId}/accept", null)).StatusCode);
        var escalation = At(plan, "day-2-escalation");
        hub.Clock.Set(escalation.DueAt.AddSeconds(1));

        Assert.Equal(FollowUpRunResult.Skipped, await hub.RunAsync(escalation.Id));

        Assert.Empty(await OutboxOf(episodeId));
        var skipped = At(await hub.FollowUpsAsync(episodeId), "day-2-escalation");
        Assert.Equal(("skipped", "referral accepted"), (skipped.State, skipped.Outcome));
        // Accepted but not engaged: the day-7 alert still stands.
        Assert.Equal("scheduled", At(await hub.FollowUpsAsync(episodeId), "day-7-alert").State);
    }

    [Fact]
    public async Task A_follow_up_that_is_not_due_yet_is_not_run()
    {
        var (_, episodeId, plan) = await Release("2026-11-29");
        var alert = At(plan, "day-7-alert");
        hub.Clock.Set(alert.DueAt.AddSeconds(-1));

        Assert.Equal(FollowUpRunResult.NotClaimed, await hub.RunAsync(alert.Id));
        Assert.Equal("scheduled", At(await hub.FollowUpsAsync(episodeId), "day-7-alert").State);
        Assert.Empty(await OutboxOf(episodeId));
    }

    [Fact]
    public async Task The_day_7_alert_tells_probation_and_the_provider_that_14_days_are_left()
    {
        var (_, episodeId, plan) = await Release("2026-11-29");
        var alert = At(plan, "day-7-alert");
        hub.Clock.Set(alert.DueAt.AddMinutes(3));

        Assert.Equal(FollowUpRunResult.Done, await hub.RunAsync(alert.Id));

        var sent = await OutboxOf(episodeId);
        Assert.Equal(["probation", "provider"], sent.Select(r => r.RecipientRole));
        Assert.Equal("jo.smith@example.justice.gov.uk", sent[0].EmailAddress);
        Assert.All(sent, r => Assert.Contains("\"daysLeft\": \"14\"", r.Personalisation));
    }

    [Fact]
    public async Task At_window_close_an_episode_not_engaged_gets_its_outcome_its_Task_fails_with_a_new_version_and_probation_is_told()
    {
        var (referralId, episodeId, plan) = await Release("2026-11-29");
        var close = At(plan, "window-close");
        int versionBefore;
        await using (var db = hub.Db()) versionBefore = (await db.Referrals.SingleAsync(r => r.Id == referralId)).Version;
        hub.Clock.Set(close.DueAt.AddMinutes(1));

        Assert.Equal(FollowUpRunResult.Done, await hub.RunAsync(close.Id));
        Assert.Equal(FollowUpRunResult.NotClaimed, await hub.RunAsync(close.Id));

        await using (var db = hub.Db())
        {
            var referral = await db.Referrals.Include(r => r.Episode).SingleAsync(r => r.Id == referralId);
            Assert.Equal(("failed", versionBefore + 1, "not-engaged"), (referral.TaskStatus, referral.Version, referral.Episode!.Status));
            Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "follow-up.window-close" && a.ResourceId == episodeId.ToString()));
        }
        Assert.Equal([$"{episodeId}:window-close:probation"], (await OutboxOf(episodeId)).Select(r => r.Reference));
        var closed = await hub.FollowUpsAsync(episodeId);
        Assert.Equal(("done", "1 emails queued; outcome not engaged; Task failed"), (At(closed, "window-close").State, At(closed, "window-close").Outcome));
        // The earlier reminders were never run here: the closed window cancelled them.
        Assert.All(closed.Where(f => f.Checkpoint != "window-close"), f => Assert.Equal(("cancelled", "window closed"), (f.State, f.Outcome)));

        // A late engagement dated inside the window still counts (§7): failed → completed.
        var provider = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");
        var late = await provider.PostAsJsonAsync($"/api/v1/referrals/{referralId}/engagement", new { date = "2026-12-15" });
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        await using var check = hub.Db();
        var after = await check.Referrals.Include(r => r.Episode).SingleAsync(r => r.Id == referralId);
        Assert.Equal(("completed", "engaged"), (after.TaskStatus, after.Episode!.Status));
    }

    [Fact]
    public async Task An_admission_that_arrives_after_the_window_closed_still_excludes_the_episode()
    {
        var noms = Notifications.NewNomsNumber();
        hub.Clock.Set(PlanningTime);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example(nomsNumber: noms, releaseDate: "2026-11-29"));
        var close = At(await hub.FollowUpsAsync(episodeId), "window-close");
        hub.Clock.Set(close.DueAt.AddDays(2));
        Assert.Equal(FollowUpRunResult.Done, await hub.RunAsync(close.Id));

        var feed = hub.ClientFor(HubRoles.EventFeed);
        Assert.True((await Events.HmppsEvents.PostAsync(feed, Events.HmppsEvents.Admission(noms, "2026-12-10T11:00:00Z"))).IsSuccessStatusCode);

        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.Id == episodeId);
        Assert.Equal(("excluded", "returnedToCustody", new DateOnly(2026, 12, 10)), (episode.Status, episode.ExclusionReason, episode.ExclusionDate));
        Assert.DoesNotContain(await hub.FollowUpsAsync(episodeId), f => f.State == "scheduled");
    }

    [Fact]
    public async Task The_same_follow_up_run_on_many_threads_at_once_has_its_effect_once()
    {
        var (referralId, episodeId, plan) = await Release("2026-11-29");
        var close = At(plan, "window-close");
        int versionBefore;
        await using (var before = hub.Db()) versionBefore = (await before.Referrals.SingleAsync(r => r.Id == referralId)).Version;
        hub.Clock.Set(close.DueAt.AddMinutes(1));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => hub.RunAsync(close.Id))));

        Assert.Equal(1, results.Count(r => r == FollowUpRunResult.Done));
        Assert.Equal(7, results.Count(r => r == FollowUpRunResult.NotClaimed));
        Assert.Single(await OutboxOf(episodeId));
        await using var db = hub.Db();
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == "follow-up.window-close" && a.ResourceId == episodeId.ToString()));
        Assert.Equal(versionBefore + 1, (await db.Referrals.SingleAsync(r => r.Id == referralId)).Version);
    }

    [Fact]
    public async Task The_catch_up_batch_and_single_runs_racing_over_the_same_overdue_follow_ups_run_each_once()
    {
        var episodes = new List<Guid>();
        for (var i = 0; i < 6; i++) episodes.Add((await Release("2026-11-29")).EpisodeId);
        var overdue = new List<FollowUp>();
        foreach (var episodeId in episodes) overdue.AddRange((await hub.FollowUpsAsync(episodeId)).Where(f => f.Checkpoint is "day-before-release" or "day-2-escalation"));
        hub.Clock.Set(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var ids = overdue.Select(f => f.Id).ToList();

        async Task<int> Batch(IEnumerable<Guid> some)
        {
            await using var scope = hub.Services.CreateAsyncScope();
            return (await scope.ServiceProvider.GetRequiredService<FollowUpRunner>().RunManyAsync(some.ToList(), CancellationToken.None)).Count;
        }
        var batches = Task.WhenAll(Batch(ids), Batch(ids.AsEnumerable().Reverse()), Batch(ids.Take(5)));
        var singles = Task.WhenAll(ids.Select(id => Task.Run(() => hub.RunAsync(id))));
        var claimedInBatches = (await batches).Sum();
        var claimedAlone = (await singles).Count(r => r == FollowUpRunResult.Done);

        Assert.Equal(ids.Count, claimedInBatches + claimedAlone);
        var rows = (await Task.WhenAll(episodes.Select(hub.FollowUpsAsync))).SelectMany(r => r).Where(f => ids.Contains(f.Id)).ToList();
        // Both checkpoints find the referral still not accepted: each is done, by whichever path claimed it.
        Assert.All(rows, f => Assert.Equal((FollowUpStates.Done, 1), (f.State, f.Attempts)));
        var sent = (await hub.OutboxAsync()).Where(r => episodes.Contains(r.EpisodeId)).ToList();
        Assert.Equal(episodes.Count * (2 + 3), sent.Count);
        await using var db = hub.Db();
        var audited = await db.AuditLog.Where(a => a.Action == "follow-up.day-before-release" || a.Action == "follow-up.day-2-escalation")
            .Where(a => episodes.Select(e => e.ToString()).Contains(a.ResourceId)).CountAsync();
        Assert.Equal(ids.Count, audited);
    }
}
