namespace ContinuityHub.Features.FollowUps;

/// <summary>The checkpoints of contract §6, in order.</summary>
public enum FollowUpCheckpoint
{
    /// <summary>Release day − 1, 09:00: referral not accepted → remind provider and prison team.</summary>
    DayBeforeRelease,
    /// <summary>Release + 2 days, 09:00: not accepted → escalate to provider, prison team, probation.</summary>
    Day2Escalation,
    /// <summary>Release + 7 days, 09:00: not engaged → alert probation and provider ("14 days left").</summary>
    Day7Alert,
    /// <summary>Release + 14 days, 09:00: not engaged → alert probation and provider ("7 days left").</summary>
    Day14Alert,
    /// <summary>End of release + 21 days: not engaged → window closes, outcome not engaged, Task failed.</summary>
    WindowClose,
}

public sealed record PlannedFollowUp(FollowUpCheckpoint Checkpoint, DateOnly LocalDate, DateTimeOffset DueAt);

/// <summary>
/// When each follow-up of an episode falls due. Times are Europe/London wall-clock times (09:00, and the
/// end of day 21) turned into instants with the offset in force on that date, so a checkpoint stays at
/// 09:00 local across the clock changes.
/// </summary>
public static class FollowUpSchedule
{
    private static readonly TimeOnly ReminderTime = new(9, 0);

    public static IReadOnlyList<PlannedFollowUp> For(DateOnly releaseDate) =>
    [
        At(FollowUpCheckpoint.DayBeforeRelease, releaseDate.AddDays(-1), ReminderTime),
        At(FollowUpCheckpoint.Day2Escalation, releaseDate.AddDays(2), ReminderTime),
        At(FollowUpCheckpoint.Day7Alert, releaseDate.AddDays(7), ReminderTime),
        At(FollowUpCheckpoint.Day14Alert, releaseDate.AddDays(14), ReminderTime),
        // The window includes all of day 21, so it closes at the first instant of day 22.
        At(FollowUpCheckpoint.WindowClose, CareWindow.Deadline(releaseDate), TimeOnly.MinValue, nextDay: true),
    ];

    /// <summary>
    /// Whole days left after <paramref name="today"/> (a London date) before the window ends, as the alerts
    /// say it: 14 on day 7, 7 on day 14, 0 on day 21 (the last day) and after.
    /// </summary>
    public static int DaysLeft(DateOnly releaseDate, DateOnly today) => CareWindow.DaysLeft(releaseDate, today);

    private static PlannedFollowUp At(FollowUpCheckpoint checkpoint, DateOnly date, TimeOnly time, bool nextDay = false)
    {
        var local = (nextDay ? date.AddDays(1) : date).ToDateTime(time, DateTimeKind.Unspecified);
        // 09:00 and 00:00 are never inside the 01:00–02:00 gap or overlap of a UK clock change, so the offset is unique.
        var offset = LondonTime.Zone.GetUtcOffset(local);
        return new PlannedFollowUp(checkpoint, date, new DateTimeOffset(local, offset));
    }
}
