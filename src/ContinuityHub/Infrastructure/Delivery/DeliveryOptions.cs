namespace ContinuityHub.Infrastructure.Delivery;

/// <summary>
/// The settings every durable outbox that delivers over HTTP shares (provider push, Notify): polling, claims,
/// per-attempt timeout, immediate retries, backoff kept in the database, and the circuit breaker. A feature's
/// options derive from it, so the settings keep their flat names (Hub:ProviderPush:AttemptTimeout, Hub:Notify:Lease…).
/// </summary>
public abstract class DeliveryOptions
{
    /// <summary>Whether this node dispatches queued messages (they are queued regardless, so another node or a restart sends them).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often an idle dispatcher looks for due messages.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Messages claimed (and sent concurrently) in one go.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>How long a claim holds; a node that dies mid-send frees its rows after this. A send is cut off at half of it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Immediate retries (jittered exponential backoff from <see cref="RetryDelay"/>) within one dispatch.</summary>
    public int RetriesPerDispatch { get; set; } = 2;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a failed dispatch the row waits BackoffBase × 2^(attempts−1), jittered, at most BackoffMax.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Failed dispatches before a message is given up (state failed, logged as an error). 48 ≈ two days at the cap.</summary>
    public int MaxAttempts { get; set; } = 48;

    /// <summary>Circuit breaker: opens when this share of at least <see cref="BreakerMinimumThroughput"/> calls in <see cref="BreakerSamplingDuration"/> failed.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 6;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an open circuit refuses calls before one trial call.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Problems with the shared values, each naming the setting under <paramref name="section"/> (e.g. "Hub:Notify").</summary>
    protected IEnumerable<string> DeliveryProblems(string section)
    {
        if (PollInterval <= TimeSpan.Zero) yield return $"{section}:PollInterval must be positive.";
        if (BatchSize is < 1 or > 100) yield return $"{section}:BatchSize must be 1 to 100.";
        if (AttemptTimeout <= TimeSpan.Zero) yield return $"{section}:AttemptTimeout must be positive.";
        if (RetriesPerDispatch is < 0 or > 10) yield return $"{section}:RetriesPerDispatch must be 0 to 10.";
        if (RetryDelay < TimeSpan.Zero) yield return $"{section}:RetryDelay must not be negative.";
        if (Lease < 2 * AttemptTimeout) yield return $"{section}:Lease must be at least twice AttemptTimeout.";
        if (BackoffBase <= TimeSpan.Zero || BackoffMax < BackoffBase) yield return $"{section}:BackoffBase must be positive and at most BackoffMax.";
        if (MaxAttempts < 1) yield return $"{section}:MaxAttempts must be at least 1.";
        if (BreakerFailureRatio is <= 0 or > 1) yield return $"{section}:BreakerFailureRatio must be above 0 and at most 1.";
        if (BreakerMinimumThroughput < 2) yield return $"{section}:BreakerMinimumThroughput must be at least 2.";
        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500)) yield return $"{section}:BreakerSamplingDuration must be at least 0.5 s.";
        if (BreakerBreakDuration < TimeSpan.FromMilliseconds(500)) yield return $"{section}:BreakerBreakDuration must be at least 0.5 s.";
    }
}
