namespace ContinuityHub.Infrastructure.Delivery;

/// <summary>When an outbox row that failed is tried again: the wait is kept in the database, so it survives restarts.</summary>
public static class DeliveryBackoff
{
    /// <summary>BackoffBase × 2^(attempts−1), at most BackoffMax, with ±25 % jitter so many rows failing together spread out.</summary>
    public static DateTimeOffset NextAttempt(DeliveryOptions settings, int attempts, DateTimeOffset now)
    {
        var exponential = settings.BackoffBase.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var capped = Math.Min(exponential, settings.BackoffMax.TotalMilliseconds);
        var jittered = capped * (0.75 + Random.Shared.NextDouble() * 0.5);
        return now + TimeSpan.FromMilliseconds(jittered);
    }
}
