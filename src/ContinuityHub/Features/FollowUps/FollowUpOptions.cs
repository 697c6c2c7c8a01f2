namespace ContinuityHub.Features.FollowUps;

/// <summary>Settings of the follow-up engine (section "Hub:FollowUps"; environment variables Hub__FollowUps__…).</summary>
public sealed class FollowUpOptions
{
    /// <summary>Whether this node runs follow-ups (its Quartz scheduler fires them). Planning happens regardless.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Follow-ups one node runs at the same time (Quartz's thread pool). Two: a follow-up is a few short
    /// statements, and after an outage more Quartz threads only compete with the batch catch-up for the CPU
    /// (docs/performance.md, follow-up catch-up).
    /// </summary>
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>Triggers Quartz acquires in one round; 0 = as many as <see cref="MaxConcurrency"/>.</summary>
    public int MaxBatchSize { get; set; }

    /// <summary>
    /// Whether Quartz acquires triggers under its cluster-wide TRIGGER_ACCESS lock. Quartz turns it on for
    /// batches above one; off lets the nodes of a cluster acquire in parallel.
    /// </summary>
    public bool? AcquireTriggersWithinLock { get; set; }

    /// <summary>
    /// How late a trigger may fire before Quartz treats it as misfired. Long on purpose: a follow-up missed
    /// during an outage must still run, once, so overdue triggers are simply acquired in due order instead of
    /// going through the misfire handler a few at a time (their misfire instruction is "fire now" anyway).
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often a node records in the database that it is alive (Quartz clustering).</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>How long past a missed check-in the other nodes wait before recovering a node's running follow-ups.</summary>
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an idle node looks for follow-ups whose Quartz trigger must be created, moved or removed.</summary>
    public TimeSpan TriggerSyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Follow-ups whose triggers are synchronised in one go.</summary>
    public int TriggerSyncBatchSize { get; set; } = 500;

    /// <summary>
    /// How far ahead Quartz triggers are written: a follow-up due later keeps its mark and gets its trigger when
    /// it comes within this horizon. Most follow-ups are planned days or weeks ahead and many are cancelled or
    /// moved before they fall due (engagement, a moved date); writing each one's trigger at intake cost the
    /// database more than the intake itself (docs/performance.md).
    /// </summary>
    public TimeSpan TriggerHorizon { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How often a node checks that every overdue scheduled follow-up still has its trigger (and re-creates it when not).</summary>
    public TimeSpan RepairInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A scheduled follow-up this far past its fire time without a trigger is repaired.</summary>
    public TimeSpan RepairAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Follow-ups more than this late (after an outage, say) are run in batches by the catch-up instead of one Quartz firing each.</summary>
    public TimeSpan CatchUpAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Overdue follow-ups run in one catch-up transaction; 0 turns the catch-up off (Quartz alone runs them).</summary>
    public int CatchUpBatchSize { get; set; } = 500;

    /// <summary>How often an idle node looks for follow-ups to catch up.</summary>
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Readiness reports follow-ups due this long ago that have not run.</summary>
    public TimeSpan OverdueAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failed runs before a follow-up is given up (state failed).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>A failed run is retried after RetryDelay × 2^(attempts−1).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Problems with the values, each naming the setting (checked at start-up).</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxConcurrency is < 1 or > 200) yield return "Hub:FollowUps:MaxConcurrency must be 1 to 200.";
        if (MaxBatchSize is < 0 or > 1000) yield return "Hub:FollowUps:MaxBatchSize must be 0 to 1000.";
        if (MisfireThreshold < TimeSpan.FromSeconds(1)) yield return "Hub:FollowUps:MisfireThreshold must be at least 1 s.";
        if (CheckinInterval < TimeSpan.FromMilliseconds(100)) yield return "Hub:FollowUps:CheckinInterval must be at least 0.1 s.";
        if (CheckinMisfireThreshold < TimeSpan.FromMilliseconds(100)) yield return "Hub:FollowUps:CheckinMisfireThreshold must be at least 0.1 s.";
        if (TriggerSyncInterval <= TimeSpan.Zero) yield return "Hub:FollowUps:TriggerSyncInterval must be positive.";
        if (TriggerSyncBatchSize is < 1 or > 10_000) yield return "Hub:FollowUps:TriggerSyncBatchSize must be 1 to 10000.";
        if (TriggerHorizon < TimeSpan.FromMinutes(10)) yield return "Hub:FollowUps:TriggerHorizon must be at least 00:10:00.";
        if (RepairInterval <= TimeSpan.Zero) yield return "Hub:FollowUps:RepairInterval must be positive.";
        if (RepairAfter <= TimeSpan.Zero) yield return "Hub:FollowUps:RepairAfter must be positive.";
        if (CatchUpAfter <= TimeSpan.Zero) yield return "Hub:FollowUps:CatchUpAfter must be positive.";
        if (CatchUpBatchSize is < 0 or > 5000) yield return "Hub:FollowUps:CatchUpBatchSize must be 0 to 5000.";
        if (CatchUpInterval <= TimeSpan.Zero) yield return "Hub:FollowUps:CatchUpInterval must be positive.";
        if (OverdueAfter <= TimeSpan.Zero) yield return "Hub:FollowUps:OverdueAfter must be positive.";
        if (MaxAttempts < 1) yield return "Hub:FollowUps:MaxAttempts must be at least 1.";
        if (RetryDelay <= TimeSpan.Zero) yield return "Hub:FollowUps:RetryDelay must be positive.";
    }
}
