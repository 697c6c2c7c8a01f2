using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Postgres;
using Hangfire;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// At start-up (after the hub's migrations): installs Hangfire's schema under the hub's lock; on a node that runs
/// follow-ups, enqueues one sweep at once, so follow-ups missed while the hub was down run as soon as it is back
/// rather than at the next occurrence, and registers the recurring sweep.
/// </summary>
/// <remarks>
/// Registering the recurring job takes Hangfire's distributed lock on it, which a node killed while holding it
/// leaves behind until the lock times out (<see cref="FollowUpJobStorage"/>: one minute). So the first sweep is a
/// plain enqueued job, which needs no lock, and a registration that cannot get the lock is retried in the
/// background instead of stopping the start-up. A schedule Hangfire refuses stops it.
/// </remarks>
public sealed class FollowUpStart(HubDatabase database, IOptions<HubOptions> options, IServiceProvider services, ILogger<FollowUpStart> logger)
    : IHostedService
{
    private static readonly TimeSpan RegistrationRetry = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource stopping = new();
    private Task registration = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await FollowUpJobStorage.InstallSchemaAsync(database.ConnectionString, cancellationToken);
        var settings = options.Value.FollowUps;
        if (!settings.Enabled) return;
        services.GetRequiredService<IBackgroundJobClient>().Enqueue<FollowUpSweep>(sweep => sweep.RunDueAsync(CancellationToken.None));
        if (!TryRegister(settings, out var failure))
        {
            logger.LogWarning("The recurring follow-up job could not be registered yet ({ExceptionType}); retrying every {Retry}",
                failure!.GetType().Name, RegistrationRetry);
            registration = RetryRegistrationAsync(settings, stopping.Token);
        }
    }

    private bool TryRegister(FollowUpOptions settings, out Exception? failure)
    {
        failure = null;
        try
        {
            services.GetRequiredService<IRecurringJobManagerV2>().AddOrUpdate<FollowUpSweep>(FollowUpSweep.RecurringJobId,
                sweep => sweep.RunDueAsync(CancellationToken.None), settings.Schedule, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            logger.LogInformation("Follow-ups run by the recurring Hangfire job {RecurringJobId} ({Schedule} UTC)", FollowUpSweep.RecurringJobId, settings.Schedule);
            return true;
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"Hub:FollowUps:Schedule is not a cron expression Hangfire accepts ({e.Message}).", e);
        }
        catch (Exception e)
        {
            failure = e;
            return false;
        }
    }

    private async Task RetryRegistrationAsync(FollowUpOptions settings, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RegistrationRetry, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (TryRegister(settings, out _)) return;
        }
    }

    /// <remarks>
    /// The token source is never disposed: the host may call this after disposing its services (a start-up that
    /// failed) or more than once, and a source without a timer holds nothing to free.
    /// </remarks>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!stopping.IsCancellationRequested) await stopping.CancelAsync();
        await registration;
    }
}
