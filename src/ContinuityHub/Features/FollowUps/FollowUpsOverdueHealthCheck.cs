using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Postgres;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// Readiness: unhealthy while any follow-up is more than OverdueAfter (15 minutes) past its due time and
/// has not run — the scheduler is stuck, stopped on every node, or cannot keep up.
/// </summary>
public sealed class FollowUpsOverdueHealthCheck(HubDatabase database, IOptions<HubOptions> options, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var overdueAfter = options.Value.FollowUps.OverdueAfter;
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "SELECT count(*), min(due_at) FROM follow_ups WHERE state = 'scheduled' AND due_at < $1", connection);
            command.Parameters.Add(new() { Value = clock.GetUtcNow() - overdueAfter });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var overdue = reader.GetInt64(0);
            if (overdue == 0) return HealthCheckResult.Healthy();
            var oldest = reader.GetFieldValue<DateTimeOffset>(1);
            return HealthCheckResult.Unhealthy(
                $"{overdue} follow-up(s) are more than {overdueAfter.TotalMinutes:0} minutes past their due time and have not run (oldest due {oldest:O}).",
                data: new Dictionary<string, object> { ["overdue"] = overdue, ["oldestDueAt"] = oldest });
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database cannot be reached.");
        }
    }
}
