using ContinuityHub.Data;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>
/// The hub with the follow-up engine (and the real notification outbox) and short timings. With <paramref name="fire"/>
/// its Hangfire server runs the recurring sweep every second by the real clock (set <see cref="HubFactory.Clock"/>
/// to the real now in such tests); without, follow-ups are planned, never run by themselves. Given a connection
/// string, it is another node (or a restart) on that database.
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
        builder.UseSetting("Hub:FollowUps:Schedule", "* * * * * *");
        builder.UseSetting("Hub:FollowUps:PollInterval", "00:00:00.500");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    public Task<List<OutboxRows.Row>> OutboxAsync() => OutboxRows.ReadAsync(ConnectionString);

    public async Task<List<FollowUp>> FollowUpsAsync(Guid episodeId)
    {
        await using var db = Db();
        return await db.Set<FollowUp>().AsNoTracking().Where(f => f.EpisodeId == episodeId).OrderBy(f => f.DueAt).ToListAsync();
    }

    /// <summary>Runs one follow-up now, on this node (as the sweep's one-by-one path runs it).</summary>
    public async Task<FollowUpRunResult> RunAsync(Guid followUpId)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FollowUpRunner>().RunAsync(followUpId, CancellationToken.None);
    }

    /// <summary>Runs the Hangfire job's method once now, on this node, as a worker would.</summary>
    public async Task<string> SweepAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FollowUpSweep>().RunDueAsync(CancellationToken.None);
    }
}
