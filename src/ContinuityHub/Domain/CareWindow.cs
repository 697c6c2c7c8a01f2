namespace ContinuityHub.Domain;

/// <summary>
/// The one definition of the hub's windows, on Europe/London calendar dates (<see cref="LondonTime"/>): a release
/// has <see cref="EngageDays"/> days to engage (contract §1, §6, §7: day 0 … day 21 inclusive), and two messages
/// whose release dates are at most <see cref="MergeDays"/> days apart are about the same release (§4.1).
/// </summary>
public static class CareWindow
{
    /// <summary>Calendar days after the release date that still count as "within 21 days" (day 0 … day 21).</summary>
    public const int EngageDays = 21;

    /// <summary>Days either side of a release date within which another message is about the same release.</summary>
    public const int MergeDays = 14;

    /// <summary>The last day of the window: engagement on this day still counts.</summary>
    public static DateOnly Deadline(DateOnly releaseDate) => releaseDate.AddDays(EngageDays);

    /// <summary>Whether <paramref name="date"/> falls in the window of a release on <paramref name="releaseDate"/> (both ends included).</summary>
    public static bool Holds(DateOnly releaseDate, DateOnly date) => date >= releaseDate && date <= Deadline(releaseDate);

    /// <summary>Whole days left after <paramref name="today"/> before the window ends: 14 on day 7, 0 on day 21 and after.</summary>
    public static int DaysLeft(DateOnly releaseDate, DateOnly today) => Math.Max(0, Deadline(releaseDate).DayNumber - today.DayNumber);

    /// <summary>Whether two release dates are close enough (±<see cref="MergeDays"/>, inclusive) to be the same release.</summary>
    public static bool SameRelease(DateOnly releaseDate, DateOnly other) => DaysApart(releaseDate, other) <= MergeDays;

    public static int DaysApart(DateOnly a, DateOnly b) => Math.Abs(a.DayNumber - b.DayNumber);

    /// <summary>The Europe/London date of an instant: an HMPPS event's <c>occurredAt</c> gives the release date this way.</summary>
    public static DateOnly DayOf(DateTimeOffset instant) => LondonTime.DateOf(instant);
}
