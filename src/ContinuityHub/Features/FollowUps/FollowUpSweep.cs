using System.ComponentModel;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Postgres;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// The recurring Hangfire job that runs the follow-ups whose time has come: it takes them straight from the
/// follow_ups table, oldest first, <see cref="FollowUpOptions.BatchSize"/> per transaction
/// (<see cref="FollowUpRunner.RunDueAsync"/>: rows locked <c>FOR UPDATE SKIP LOCKED</c>, claimed, run, effects
/// written with one statement per table), <see cref="FollowUpOptions.Parallelism"/> batches side by side, until
/// none is left. The job's arguments are empty (Hangfire stores no ids, let alone personal data): the table
/// is the truth, so a sweep that ran twice, on two nodes, or again after a crash, finds only what is still due.
/// </summary>
public sealed class FollowUpSweep(IServiceScopeFactory scopes, HubDatabase database, IOptions<HubOptions> options, TimeProvider clock,
    ILogger<FollowUpSweep> logger)
{
    /// <summary>The recurring job's id (and its name on the dashboard's Recurring Jobs page).</summary>
    public const string RecurringJobId = "follow-ups";

    private readonly FollowUpOptions settings = options.Value.FollowUps;

    /// <summary>Five fields, or six with seconds (Hangfire checks the fields themselves when the job is registered).</summary>
    public static bool IsValidSchedule(string? cron) =>
        cron?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length is 5 or 6;

    /// <summary>
    /// Runs every due follow-up. A follow-up that fails is recorded on its row (attempts, error type, a retry after
    /// its backoff, or failed after the last attempt) and the run then fails with the ids, so the dashboard shows
    /// it among Hangfire's failed jobs and retries the run.
    /// </summary>
    /// <returns>What the run did (counts), shown on the dashboard.</returns>
    [DisplayName("Run the follow-ups due")]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [15, 60, 300])]
    public async Task<string> RunDueAsync(CancellationToken cancellationToken)
    {
        var loops = await Task.WhenAll(Enumerable.Range(0, settings.Parallelism).Select(_ => Task.Run(() => LoopAsync(cancellationToken), cancellationToken)));
        var done = loops.Sum(l => l.Done);
        var skipped = loops.Sum(l => l.Skipped);
        var failed = loops.SelectMany(l => l.Failed).ToList();
        if (failed.Count > 0) throw new FollowUpsFailedException(failed, done, skipped);
        return $"{done} done, {skipped} skipped";
    }

    private sealed record LoopResult(int Done, int Skipped, List<(Guid Id, string ErrorType)> Failed);

    private async Task<LoopResult> LoopAsync(CancellationToken cancellationToken)
    {
        var (done, skipped, failed) = (0, 0, new List<(Guid, string)>());
        while (!cancellationToken.IsCancellationRequested)
        {
            FollowUpBatch batch;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                batch = await scope.ServiceProvider.GetRequiredService<FollowUpRunner>().RunDueAsync(settings.BatchSize, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The batch rolled back. One follow-up that cannot run must not hold back the others: the due rows
                // are run one by one, each failure recorded on its own row (which moves its next try later).
                logger.LogWarning("A follow-up batch failed ({ExceptionType}); running its follow-ups one by one", e.GetType().Name);
                var alone = await RunOneByOneAsync(cancellationToken);
                (done, skipped) = (done + alone.Done, skipped + alone.Skipped);
                failed.AddRange(alone.Failed);
                if (alone.Done + alone.Skipped + alone.Failed.Count == 0) break;
                continue;
            }
            done += batch.Ran.Count(f => f.State == FollowUpStates.Done);
            skipped += batch.Ran.Count(f => f.State == FollowUpStates.Skipped);
            // Nothing left, or only rows whose people are busy right now (a later run takes them).
            if (batch.Selected == 0 || batch.Ran.Count == 0) break;
        }
        return new LoopResult(done, skipped, failed);
    }

    private async Task<LoopResult> RunOneByOneAsync(CancellationToken cancellationToken)
    {
        var (done, skipped, failed) = (0, 0, new List<(Guid, string)>());
        foreach (var id in await DueIdsAsync(cancellationToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<FollowUpRunner>().RunAsync(id, cancellationToken);
                if (result == FollowUpRunResult.Done) done++;
                if (result == FollowUpRunResult.Skipped) skipped++;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogError(e, "Follow-up {FollowUpId} failed ({ExceptionType})", id, e.GetType().Name);
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<FollowUpRunner>().RecordFailureAsync(id, e, settings, CancellationToken.None);
                failed.Add((id, e.GetType().Name));
            }
        }
        return new LoopResult(done, skipped, failed);
    }

    private async Task<List<Guid>> DueIdsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var select = new NpgsqlCommand(
            "SELECT id FROM follow_ups WHERE state = 'scheduled' AND fire_at <= $1 ORDER BY fire_at LIMIT $2", connection);
        select.Parameters.Add(new() { Value = clock.GetUtcNow() });
        select.Parameters.Add(new() { Value = settings.BatchSize });
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetGuid(0));
        return ids;
    }
}

/// <summary>
/// A sweep in which follow-ups failed (each recorded on its row): its message, stored by Hangfire and shown on
/// the dashboard, names the follow-ups by id and the exception types only — never a message, which could
/// quote data.
/// </summary>
public sealed class FollowUpsFailedException(IReadOnlyList<(Guid Id, string ErrorType)> failed, int done, int skipped)
    : Exception($"{failed.Count} follow-up(s) failed and wait for their retry ({done} done, {skipped} skipped): " +
                string.Join(", ", failed.Take(20).Select(f => $"{f.Id} ({f.ErrorType})")) + (failed.Count > 20 ? ", …" : ""));
