namespace ContinuityHub.Features.FollowUps;

/// <summary>The stable codes of the §6 checkpoints: stored in follow_ups, in email references, template keys and the API.</summary>
public static class FollowUpCheckpoints
{
    public const string DayBeforeRelease = "day-before-release";
    public const string Day2Escalation = "day-2-escalation";
    public const string Day7Alert = "day-7-alert";
    public const string Day14Alert = "day-14-alert";
    public const string WindowClose = "window-close";

    public static string Code(FollowUpCheckpoint checkpoint) => checkpoint switch
    {
        FollowUpCheckpoint.DayBeforeRelease => DayBeforeRelease,
        FollowUpCheckpoint.Day2Escalation => Day2Escalation,
        FollowUpCheckpoint.Day7Alert => Day7Alert,
        FollowUpCheckpoint.Day14Alert => Day14Alert,
        FollowUpCheckpoint.WindowClose => WindowClose,
        _ => throw new ArgumentOutOfRangeException(nameof(checkpoint)),
    };

    public static FollowUpCheckpoint Parse(string code) => code switch
    {
        DayBeforeRelease => FollowUpCheckpoint.DayBeforeRelease,
        Day2Escalation => FollowUpCheckpoint.Day2Escalation,
        Day7Alert => FollowUpCheckpoint.Day7Alert,
        Day14Alert => FollowUpCheckpoint.Day14Alert,
        WindowClose => FollowUpCheckpoint.WindowClose,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "unknown follow-up checkpoint"),
    };
}
