using ContinuityHub.Features.FollowUps;
using ContinuityHub.Infrastructure;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>The checkpoints of contract §6 at the right Europe/London times, across the clock changes.</summary>
public sealed class FollowUpScheduleTests
{
    [Fact]
    public void A_release_gets_the_five_checkpoints_of_the_contract_at_09_00_London_and_the_window_closes_after_day_21()
    {
        var plan = FollowUpSchedule.For(new DateOnly(2026, 12, 1)); // GMT all through

        Assert.Equal(
        [
            (FollowUpCheckpoint.DayBeforeRelease, "2026-11-30T09:00:00.0000000+00:00"),
            (FollowUpCheckpoint.Day2Escalation, "2026-12-03T09:00:00.0000000+00:00"),
            (FollowUpCheckpoint.Day7Alert, "2026-12-08T09:00:00.0000000+00:00"),
            (FollowUpCheckpoint.Day14Alert, "2026-12-15T09:00:00.0000000+00:00"),
            (FollowUpCheckpoint.WindowClose, "2026-12-23T00:00:00.0000000+00:00"),
        ], plan.Select(p => (p.Checkpoint, p.DueAt.ToString("O"))));
        Assert.Equal(new DateOnly(2026, 12, 22), plan[^1].LocalDate);
    }

    [Fact]
    public void Across_the_spring_clock_change_reminders_stay_at_09_00_local_time()
    {
        // Clocks go forward on Sunday 29 March 2026: 09:00 BST is 08:00 UTC.
        var plan = FollowUpSchedule.For(new DateOnly(2026, 3, 27));

        Assert.Equal(new DateTimeOffset(2026, 3, 26, 9, 0, 0, TimeSpan.Zero), plan[0].DueAt);          // GMT
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 8, 0, 0, TimeSpan.Zero), plan[1].DueAt.ToUniversalTime()); // the change day itself
        Assert.All(plan.Take(4), p => Assert.Equal(9, TimeZoneInfo.ConvertTime(p.DueAt, LondonTime.Zone).Hour));
    }

    [Fact]
    public void Across_the_autumn_clock_change_the_window_closes_at_London_midnight()
    {
        // Clocks go back on Sunday 25 October 2026. Release on 4 October (BST): day 21 is Sunday 25 October.
        var plan = FollowUpSchedule.For(new DateOnly(2026, 10, 4));
        var close = plan.Single(p => p.Checkpoint == FollowUpCheckpoint.WindowClose);

        Assert.Equal(new DateOnly(2026, 10, 25), close.LocalDate);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 0, 0, 0, TimeSpan.Zero), close.DueAt.ToUniversalTime()); // GMT again by then
        Assert.Equal(new DateTimeOffset(2026, 10, 18, 8, 0, 0, TimeSpan.Zero), plan[3].DueAt.ToUniversalTime()); // day 14, still BST
    }

    [Theory]
    [InlineData("2026-12-01", "2026-12-08", 14)]  // day 7 alert: "14 days left"
    [InlineData("2026-12-01", "2026-12-15", 7)]   // day 14 alert: "7 days left"
    [InlineData("2026-12-01", "2026-12-22", 0)]   // day 21: the last day
    [InlineData("2026-12-01", "2026-12-30", 0)]
    [InlineData("2026-12-01", "2026-11-28", 24)]  // before release
    public void Days_left_are_the_whole_days_after_today_before_the_window_ends(string release, string today, int expected) =>
        Assert.Equal(expected, FollowUpSchedule.DaysLeft(DateOnly.Parse(release), DateOnly.Parse(today)));
}
