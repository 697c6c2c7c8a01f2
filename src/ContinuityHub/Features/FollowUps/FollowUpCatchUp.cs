using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// After an outage, thousands of follow-ups are overdue at once; one Quartz firing each costs a round of the
/// job store's own statements on top of the follow-up's, and on 2 cores that is a few hundred a second. On a
/// node that runs follow-ups, this loop takes those more than CatchUpAfter late in batches of CatchUpBatchSize
/// and runs each batch in one transaction (<see cref="FollowUpRunner.RunManyAsync"/>), then removes their
/// triggers. On-time follow-ups still go through Quartz alone; both paths claim the row, so each runs once.
/// </summary>
public sealed class FollowUpCatchUp([FromKeyedServices(FollowUpSetup.SchedulerName)] ISchedulerFactory schedulers,
    IServiceScopeFactory scopes, HubDatabase database, IOptions<HubOptions> options, IHostApplicationLifetime lifetime,
    TimeProvider clock, ILogger<FollowUpCatchUp> logger) : BackgroundService
{
    private readonly FollowUpOptions settings = options.Value.FollowUps;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled || settings.CatchUpBatchSize == 0) return;
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try { await started.Task; } catch (OperationCanceledException) { return; }
        }
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var caughtUp = 0;
            try
            {
                caughtUp = await CatchUpOnceAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A deadlock between two nodes' batches, or the database away: the rows stay scheduled and are taken again.
                if (++failures == 1) logger.LogError(e, "Follow-up catch-up failed ({ExceptionType})", e.GetType().Name);
            }
            if (caughtUp > 0) continue;
            try
            {
                await Task.Delay(settings.CatchUpInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <returns>How many overdue follow-ups were found (0: nothing to catch up).</returns>
    internal async Task<int> CatchUpOnceAsync(CancellationToken cancellationToken)
    {
        var overdue = new List<Guid>();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var select = new NpgsqlCommand(
                "SELECT id FROM follow_ups WHERE state = 'scheduled' AND fire_at < $1 ORDER BY fire_at LIMIT $2", connection);
            select.Parameters.Add(new() { Value = clock.GetUtcNow() - settings.CatchUpAfter });
            select.Parameters.Add(new() { Value = settings.CatchUpBatchSize });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) overdue.Add(reader.GetGuid(0));
        }
        if (overdue.Count == 0) return 0;

        IReadOnlyList<FollowUp> ran;
        await using (var scope = scopes.CreateAsyncScope())
            ran = await scope.ServiceProvider.GetRequiredService<FollowUpRunner>().RunManyAsync(overdue, cancellationToken);
        if (ran.Count > 0)
        {
            // Their one-shot triggers would only fire to find nothing to claim.
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            await scheduler.UnscheduleJobs(ran.Select(f => FollowUpTriggerSync.KeyOf(f.EpisodeId, f.Checkpoint)).ToList(), cancellationToken);
        }
        return overdue.Count;
    }
}
