namespace ContinuityHub.Domain;

/// <summary>
/// Where an episode's release date came from, in rising authority (contract §4.1): a planned date never
/// replaces a confirmed one; among dates of equal authority the latest wins.
/// </summary>
public static class ReleaseDateSources
{
    public const string PlannedNotification = "planned-notification";
    public const string ReleasedNotification = "released-notification";
    public const string HmppsEvent = "hmpps-event";

    public static int Authority(string source) => source switch
    {
        PlannedNotification => 0,
        ReleasedNotification => 1,
        HmppsEvent => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "unknown release date source"),
    };
}
