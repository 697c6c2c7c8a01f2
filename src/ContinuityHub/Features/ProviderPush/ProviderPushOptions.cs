namespace ContinuityHub.Features.ProviderPush;

/// <summary>Settings of the provider push (section "Hub:ProviderPush"; environment variables Hub__ProviderPush__…).</summary>
public sealed class ProviderPushOptions
{
    /// <summary>Whether this node dispatches queued pushes (pushes are queued regardless, so another node or a restart sends them).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The hub's FHIR base URL as providers reach it: MessageHeader.source.endpoint and the entries' fullUrl.</summary>
    public string HubFhirBaseUrl { get; set; } = "http://127.0.0.1:5080/fhir";

    /// <summary>How often an idle dispatcher looks for due pushes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Pushes claimed (and sent concurrently) in one go.</summary>
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

    /// <summary>Failed dispatches before a push is given up (state failed, logged as an error). 48 ≈ two days at the cap.</summary>
    public int MaxAttempts { get; set; } = 48;

    /// <summary>Circuit breaker per provider: opens when this share of at least <see cref="BreakerMinimumThroughput"/> calls in <see cref="BreakerSamplingDuration"/> failed.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 6;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an open circuit refuses calls to that provider before one trial call.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Problems with the values, each naming the setting (checked at start-up).</summary>
    public IEnumerable<string> Problems()
    {
        if (!Uri.TryCreate(HubFhirBaseUrl, UriKind.Absolute, out var hub) || (hub.Scheme != "https" && hub.Scheme != "http"))
            yield return "Hub:ProviderPush:HubFhirBaseUrl must be an absolute http(s) URL.";
        if (PollInterval <= TimeSpan.Zero) yield return "Hub:ProviderPush:PollInterval must be positive.";
        if (BatchSize is < 1 or > 100) yield return "Hub:ProviderPush:BatchSize must be 1 to 100.";
        if (AttemptTimeout <= TimeSpan.Zero) yield return "Hub:ProviderPush:AttemptTimeout must be positive.";
        if (RetriesPerDispatch is < 0 or > 10) yield return "Hub:ProviderPush:RetriesPerDispatch must be 0 to 10.";
        if (Lease < 2 * AttemptTimeout) yield return "Hub:ProviderPush:Lease must be at least twice AttemptTimeout.";
        if (BackoffBase <= TimeSpan.Zero || BackoffMax < BackoffBase) yield return "Hub:ProviderPush:BackoffBase must be positive and at most BackoffMax.";
        if (MaxAttempts < 1) yield return "Hub:ProviderPush:MaxAttempts must be at least 1.";
        if (BreakerFailureRatio is <= 0 or > 1) yield return "Hub:ProviderPush:BreakerFailureRatio must be above 0 and at most 1.";
        if (BreakerMinimumThroughput < 2) yield return "Hub:ProviderPush:BreakerMinimumThroughput must be at least 2.";
        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500)) yield return "Hub:ProviderPush:BreakerSamplingDuration must be at least 0.5 s.";
        if (BreakerBreakDuration < TimeSpan.FromMilliseconds(500)) yield return "Hub:ProviderPush:BreakerBreakDuration must be at least 0.5 s.";
    }
}
