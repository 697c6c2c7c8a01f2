using ContinuityHub.Data;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>
/// The hub with the follow-up engine (and the real notification outbox) and short timings. With <paramref name="fire"/>
/// its Quartz scheduler runs and fires due follow-ups by the real clock (set <see cref="HubFactory.Clock"/>
/// to the real now in such tests); without, follow-ups are planned and triggers written, never fired. Given a
/// connection string, it is another node (or a restart) on that database.
/// </summary>
public sealed class FollowUpHub : HubFactory
{
    private readonly bool fire;
    private readonly IReadOnlyDictionary<string, string> settings;

    public FollowUpHub() : this(fire: false)
    {
    }

    /// <summary>A node that fires follow-ups (or not), on a new database or on <paramref name="connectionString"/>'s.</summary>
    public static FollowUpHub Node(bool fire, string? connectionString = null, IReadOnlyDictionary<string, string>? settings = null) =>
        new(fire, connectionString, settings);

    private FollowUpHub(bool fire, string? connectionString = null, IReadOnlyDictionary<string, string>? settings = null)
        : base(connectionString ?? TestPostgres.CreateDatabase("followups"))
    {
        this.fire = fire;
        this.settings = settings ?? new Dictionary<string, string>();
        if (fire) Clock.Set(DateTimeOffset.UtcNow);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hub:FollowUps:Enabled", fire ? "true" : "false");
        builder.UseSetting("Hub:FollowUps:TriggerSyncInterval", "00:00:00.050");
        builder.UseSetting("Hub:FollowUps:CheckinInterval", "00:00:00.500");
        builder.UseSetting("Hub:FollowUps:CheckinMisfireThreshold", "00:00:01");
        builder.UseSetting("Hub:FollowUps:RepairInterval", "00:00:01");
        builder.UseSetting("Hub:FollowUps:RepairAfter", "00:00:05");
        // Every planned follow-up's trigger, so the tests can read them all back; FollowUpTriggerHorizonTests sets a short one.
        builder.UseSetting("Hub:FollowUps:TriggerHorizon", "60.00:00:00");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    public Task<List<OutboxRows.Row>> OutboxAsync() => OutboxRows.ReadAsync(ConnectionString);

    public async Task<List<FollowUp>> FollowUpsAsync(Guid episodeId)
    {
        await using var db = Db();
        return await db.Set<FollowUp>().AsNoTracking().Where(f => f.EpisodeId == episodeId).OrderBy(f => f.DueAt).ToListAsync();
    }

    public async Task<IScheduler> SchedulerAsync() => await Services.SchedulerFactory().GetScheduler();

    /// <summary>Runs one follow-up now, as its trigger would, on this node.</summary>
    public async Task<FollowUpRunResult> RunAsync(Guid followUpId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FollowUpRunner>().RunAsync(followUpId, CancellationToken.None);
    }

    /// <summary>Waits until no follow-up of the database waits for its trigger to be synchronised.</summary>
    public Task TriggersSynchronisedAsync() => ProviderPush.Eventually.WaitForAsync(async () =>
    {
        await using var db = Db();
        return await db.Set<FollowUp>().CountAsync(f => f.TriggerPending);
    }, pending => pending == 0, "follow-up triggers to be synchronised");
}
