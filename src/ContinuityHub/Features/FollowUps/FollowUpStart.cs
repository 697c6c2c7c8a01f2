using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Postgres;
using Hangfire;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// At start-up (after the hub's migrations): installs Hangfire's schema under the hub's lock; on a node that runs
/// follow-ups, registers the recurring sweep and starts one at once, so follow-ups missed while the hub was down
/// run as soon as it is back rather than at the next occurrence.
/// </summary>
public sealed class FollowUpStart(HubDatabase database, IOptions<HubOptions> options, IServiceProvider services, ILogger<FollowUpStart> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await FollowUpJobStorage.InstallSchemaAsync(database.ConnectionString, cancellationToken);
        var settings = options.Value.FollowUps;
        if (!settings.Enabled) return;
        var recurring = services.GetRequiredService<IRecurringJobManagerV2>();
        try
        {
            recurring.AddOrUpdate<FollowUpSweep>(FollowUpSweep.RecurringJobId, sweep => sweep.RunDueAsync(CancellationToken.None), settings.Schedule,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"Hub:FollowUps:Schedule is not a cron expression Hangfire accepts ({e.Message}).", e);
        }
        recurring.TriggerJob(FollowUpSweep.RecurringJobId);
        logger.LogInformation("Follow-ups run by the recurring Hangfire job {RecurringJobId} ({Schedule} UTC); a sweep was started now",
            FollowUpSweep.RecurringJobId, settings.Schedule);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
