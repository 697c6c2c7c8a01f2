namespace ContinuityHub.Features.FollowUps;

/// <summary>Settings of the follow-up engine (section "Hub:FollowUps"; environment variables Hub__FollowUps__…).</summary>
public sealed class FollowUpOptions
{
    /// <summary>Whether this node runs follow-ups (its Hangfire server runs the sweep). Planning happens regardless.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// When the recurring sweep runs (a Hangfire cron expression, UTC; six fields for seconds). Every minute: a
    /// follow-up due at 09:00 runs by about 09:01. Each node also starts a sweep as it starts, so follow-ups
    /// missed while the hub was down run at once.
    /// </summary>
    public string Schedule { get; set; } = "* * * * *";

    /// <summary>How often Hangfire looks for a recurring occurrence that has come and for an enqueued sweep to take.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Follow-ups claimed and run in one transaction (one set of statements for the whole batch).</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// Batches one sweep runs side by side (each its own transaction and connection): while one batch waits on
    /// the database, another is being prepared in the hub.
    /// </summary>
    public int Parallelism { get; set; } = 2;

    /// <summary>Hangfire workers on a node (sweeps that can run at once there: the recurring one and a retry, say).</summary>
    public int Workers { get; set; } = 2;

    /// <summary>Readiness reports follow-ups due this long ago that have not run.</summary>
    public TimeSpan OverdueAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failed runs before a follow-up is given up (state failed).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>A failed run is retried after RetryDelay × 2^(attempts−1).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Problems with the values, each naming the setting (checked at start-up).</summary>
    public IEnumerable<string> Problems()
    {
        if (!FollowUpSweep.IsValidSchedule(Schedule)) yield return "Hub:FollowUps:Schedule must be a cron expression (5 fields, or 6 with seconds).";
        if (PollInterval < TimeSpan.FromMilliseconds(100)) yield return "Hub:FollowUps:PollInterval must be at least 0.1 s.";
        if (BatchSize is < 1 or > 10_000) yield return "Hub:FollowUps:BatchSize must be 1 to 10000.";
        if (Parallelism is < 1 or > 16) yield return "Hub:FollowUps:Parallelism must be 1 to 16.";
        if (Workers is < 1 or > 50) yield return "Hub:FollowUps:Workers must be 1 to 50.";
        if (OverdueAfter <= TimeSpan.Zero) yield return "Hub:FollowUps:OverdueAfter must be positive.";
        if (MaxAttempts < 1) yield return "Hub:FollowUps:MaxAttempts must be at least 1.";
        if (RetryDelay <= TimeSpan.Zero) yield return "Hub:FollowUps:RetryDelay must be positive.";
    }
}
