using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// Keeps this node under Notify's request rate limit (3,000 a minute per service), so a backlog after an
/// outage drains at the rate Notify takes instead of in bursts of 429s that open the circuit. The dispatcher
/// takes a permit for each call it expects (the POST, and the look-up when there is one) before the row's
/// delivery starts, so waiting here never counts against an attempt's timeout; the rare immediate retry
/// after a 5xx or 429 goes without one. Waiters queue in order.
/// </summary>
public sealed class NotifyRateLimiter : IDisposable
{
    private readonly TokenBucketRateLimiter limiter;

    public NotifyRateLimiter(IOptions<NotifyOptions> options)
    {
        // One permit every minute/N, at most a second's worth saved up: an even pace, no minute-sized burst.
        var perMinute = options.Value.MaxRequestsPerMinute;
        limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, perMinute / 60),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public async Task WaitAsync(int calls, CancellationToken cancellationToken)
    {
        for (var i = 0; i < calls; i++)
        {
            using var lease = await limiter.AcquireAsync(1, cancellationToken);
        }
    }

    public void Dispose() => limiter.Dispose();
}
