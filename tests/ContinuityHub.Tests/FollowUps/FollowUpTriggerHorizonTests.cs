using ContinuityHub.Features.FollowUps;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.ProviderPush;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>Quartz triggers are written only for follow-ups due within Hub:FollowUps:TriggerHorizon; later ones as they come within it.</summary>
public sealed class FollowUpTriggerHorizonTests : IAsyncLifetime
{
    private readonly FollowUpHub hub = FollowUpHub.Node(fire: false,
        settings: new Dictionary<string, string> { ["Hub:FollowUps:TriggerHorizon"] = "1.00:00:00" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await hub.DisposeAsync();

    [Fact]
    public async Task A_follow_up_gets_its_trigger_when_it_comes_within_the_horizon_and_not_before()
    {
        // Clock: 2026-11-22 10:00 UTC. Release 29 November: the first follow-up is due 28 November 09:00, six days ahead.
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example(releaseDate: "2026-11-29"));
        var scheduler = await hub.SchedulerAsync();
        var dayBefore = FollowUpTriggerSync.KeyOf(episodeId, "day-before-release");

        await Task.Delay(TimeSpan.FromSeconds(1)); // many passes of the synchroniser (every 50 ms here)
        Assert.Null(await scheduler.GetTrigger(dayBefore));
        Assert.All(await hub.FollowUpsAsync(episodeId), f => Assert.True(f.TriggerPending));

        hub.Clock.Set(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero)); // 23 hours before the first one
        await Eventually.WaitForAsync(() => hub.FollowUpsAsync(episodeId),
            plan => plan.Single(f => f.Checkpoint == "day-before-release").TriggerPending == false, "the day-before trigger");

        Assert.Equal(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero), (await scheduler.GetTrigger(dayBefore))!.NextFireTimeUtc);
        Assert.Null(await scheduler.GetTrigger(FollowUpTriggerSync.KeyOf(episodeId, "day-2-escalation")));
        Assert.True((await hub.FollowUpsAsync(episodeId)).Single(f => f.Checkpoint == "day-2-escalation").TriggerPending);
    }
}
