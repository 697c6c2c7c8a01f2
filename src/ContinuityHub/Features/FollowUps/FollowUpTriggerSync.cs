using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// Brings the Quartz triggers in line with the follow_ups table, after the commit that changed it. The
/// planner marks every row it creates, moves or cancels <c>trigger_pending</c> in the change's own
/// transaction; this loop (on every node) takes such rows with <c>FOR UPDATE SKIP LOCKED</c>, creates or
/// replaces the trigger <c>{episodeId}.{checkpoint}</c> of a scheduled row at its fire time, removes the
/// trigger of any other, and clears the mark — so a crash between a commit and the scheduling only delays
/// it to the next start. Only rows due within <see cref="FollowUpOptions.TriggerHorizon"/> get their trigger;
/// later ones keep the mark and are scheduled as they come within it. A repair pass (at start-up, then every RepairInterval) re-marks scheduled rows that
/// are overdue and have no trigger at all, whatever lost it.
/// </summary>
public sealed class FollowUpTriggerSync([FromKeyedServices(FollowUpSetup.SchedulerName)] ISchedulerFactory schedulers, HubDatabase database, IOptions<HubOptions> options,
    IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<FollowUpTriggerSync> logger) : BackgroundService
{
    private readonly FollowUpOptions settings = options.Value.FollowUps;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The scheduler and the schema are ready once the host has started (migrations ran first).
        if (!await WaitForStartAsync(stoppingToken)) return;
        var nextRepair = DateTimeOffset.MinValue;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var synchronised = 0;
            try
            {
                if (DateTimeOffset.UtcNow >= nextRepair)
                {
                    await RepairAsync(stoppingToken);
                    nextRepair = DateTimeOffset.UtcNow + settings.RepairInterval;
                }
                synchronised = await SyncPendingAsync(stoppingToken);
                if (failures > 0) logger.LogInformation("Follow-up trigger synchronisation works again after {Failures} failed passes", failures);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database may be unreachable for a while: the marks stay and a later pass tries again. The
                // first failure of a streak is logged in full, then one line a minute, not a stack trace a second.
                failures++;
                if (failures == 1) logger.LogError(e, "Follow-up trigger synchronisation failed ({ExceptionType})", e.GetType().Name);
                else if (failures % 60 == 0) logger.LogWarning("Follow-up trigger synchronisation still failing ({ExceptionType}), {Failures} passes", e.GetType().Name, failures);
            }
            if (synchronised == settings.TriggerSyncBatchSize) continue;
            try
            {
                await Task.Delay(failures == 0 ? settings.TriggerSyncInterval : TimeSpan.FromSeconds(Math.Min(failures, 5)), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<bool> WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await using var stopping = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private sealed record PendingRow(Guid Id, Guid EpisodeId, string Checkpoint, string State, DateTimeOffset FireAt);

    /// <returns>How many rows were synchronised.</returns>
    internal async Task<int> SyncPendingAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = new List<PendingRow>();
        await using (var select = new NpgsqlCommand("""
            SELECT id, episode_id, checkpoint, state, fire_at FROM follow_ups
             WHERE trigger_pending AND fire_at <= $2 ORDER BY fire_at LIMIT $1 FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            select.Parameters.Add(new() { Value = settings.TriggerSyncBatchSize });
            // Rows beyond the horizon keep their mark until they come within it (TriggerHorizon). A cancelled or moved
            // row out there may still have a trigger from before; firing, it finds nothing to claim, as any stale trigger.
            select.Parameters.Add(new() { Value = clock.GetUtcNow() + settings.TriggerHorizon });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                rows.Add(new PendingRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                    reader.GetFieldValue<DateTimeOffset>(4)));
        }
        if (rows.Count == 0) return 0;

        // The rows stay locked until the marks are cleared, so a re-plan committed meanwhile waits and marks
        // them again rather than being overwritten by this older picture.
        var toSchedule = rows.Where(r => r.State == FollowUpStates.Scheduled).Select(TriggerFor).ToList();
        var toRemove = rows.Where(r => r.State != FollowUpStates.Scheduled).Select(r => KeyOf(r.EpisodeId, r.Checkpoint)).ToList();
        if (toSchedule.Count > 0)
            await scheduler.ScheduleJobs(new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>> { [FollowUpSetup.JobDetail] = toSchedule },
                ScheduleJobOptions.Replacing, cancellationToken);
        if (toRemove.Count > 0) await scheduler.UnscheduleJobs(toRemove, cancellationToken);

        await using (var clear = new NpgsqlCommand("UPDATE follow_ups SET trigger_pending = false WHERE id = ANY($1)", connection, transaction))
        {
            clear.Parameters.Add(new() { Value = rows.Select(r => r.Id).ToArray() });
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogDebug("Follow-up triggers synchronised: {Scheduled} scheduled, {Removed} removed", toSchedule.Count, toRemove.Count);
        return rows.Count;
    }

    /// <summary>Marks for synchronisation the overdue scheduled rows whose trigger is missing.</summary>
    internal async Task<int> RepairAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var candidates = new List<(Guid Id, Guid EpisodeId, string Checkpoint)>();
        await using (var select = new NpgsqlCommand("""
            SELECT id, episode_id, checkpoint FROM follow_ups
             WHERE state = 'scheduled' AND NOT trigger_pending AND fire_at < $1 ORDER BY fire_at LIMIT 1000
            """, connection))
        {
            select.Parameters.Add(new() { Value = clock.GetUtcNow() - settings.RepairAfter });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) candidates.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2)));
        }
        var missing = new List<Guid>();
        foreach (var (id, episodeId, checkpoint) in candidates)
            if (!await scheduler.Exists(KeyOf(episodeId, checkpoint), cancellationToken)) missing.Add(id);
        if (missing.Count == 0) return 0;

        await using var mark = new NpgsqlCommand("UPDATE follow_ups SET trigger_pending = true WHERE id = ANY($1) AND state = 'scheduled'", connection);
        mark.Parameters.Add(new() { Value = missing.ToArray() });
        var marked = await mark.ExecuteNonQueryAsync(cancellationToken);
        logger.LogWarning("{Count} overdue follow-ups had no trigger; re-scheduling them", marked);
        return marked;
    }

    public static TriggerKey KeyOf(Guid episodeId, string checkpoint) =>
        new(FollowUpCheckpoints.TriggerName(episodeId, checkpoint), FollowUpJob.TriggerGroup);

    private static ITrigger TriggerFor(PendingRow row) => TriggerBuilder.Create()
        .WithIdentity(KeyOf(row.EpisodeId, row.Checkpoint))
        .ForJob(FollowUpJob.Key)
        .UsingJobData(FollowUpJob.FollowUpIdKey, row.Id.ToString())
        .StartAt(row.FireAt)
        // Missed during an outage: run once, as soon as possible.
        .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
        .Build();
}
