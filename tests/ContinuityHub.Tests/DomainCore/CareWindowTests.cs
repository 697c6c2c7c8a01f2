using static ContinuityHub.Tests.DomainCore.DomainFixtures;

namespace ContinuityHub.Tests.DomainCore;

/// <summary>The 21 days, the ±14 days and the Europe/London day (<see cref="CareWindow"/>), at their edges.</summary>
public sealed class CareWindowTests
{
    [Fact]
    public void The_window_runs_from_the_release_date_to_day_21_inclusive()
    {
        var release = new DateOnly(2026, 3, 10);
        Assert.Equal(new DateOnly(2026, 3, 31), CareWindow.Deadline(release));
        Assert.True(CareWindow.Holds(release, release));
        Assert.True(CareWindow.Holds(release, release.AddDays(21)));
        Assert.False(CareWindow.Holds(release, release.AddDays(22)));
        Assert.False(CareWindow.Holds(release, release.AddDays(-1)));
        Assert.Equal((14, 7, 0, 0), (CareWindow.DaysLeft(release, release.AddDays(7)), CareWindow.DaysLeft(release, release.AddDays(14)),
            CareWindow.DaysLeft(release, release.AddDays(21)), CareWindow.DaysLeft(release, release.AddDays(30))));
    }

    [Theory]
    [InlineData(-14, true)]
    [InlineData(14, true)]
    [InlineData(-15, false)]
    [InlineData(15, false)]
    [InlineData(0, true)]
    public void Two_release_dates_at_most_14_days_apart_are_the_same_release(int days, bool same)
    {
        Assert.Equal(same, CareWindow.SameRelease(ReleaseDate, ReleaseDate.AddDays(days)));
        var episode = StoredEpisode();
        Assert.Equal(same, Episode.Mergeable([episode], ReleaseDate.AddDays(days)) == episode);
    }

    [Fact]
    public void A_message_merges_into_the_nearest_open_or_engaged_episode()
    {
        var far = StoredEpisode(ReleaseDate.AddDays(-10));
        var near = StoredEpisode(ReleaseDate.AddDays(4));
        var excluded = StoredEpisode(ReleaseDate, EpisodeStatus.Excluded);
        var closed = StoredEpisode(ReleaseDate.AddDays(1), EpisodeStatus.NotEngaged);
        var engaged = StoredEpisode(ReleaseDate.AddDays(-20), EpisodeStatus.Engaged);

        Assert.Same(near, Episode.Mergeable([far, near, excluded, closed, engaged], ReleaseDate));
        Assert.Same(engaged, Episode.Mergeable([far, near, excluded, closed, engaged], ReleaseDate.AddDays(-30)));
        Assert.Null(Episode.Mergeable([excluded, closed], ReleaseDate));
    }

    [Fact]
    public void An_admission_finds_the_latest_release_not_yet_excluded_whose_window_holds_its_date()
    {
        var earlier = StoredEpisode(ReleaseDate.AddDays(-30), EpisodeStatus.NotEngaged);
        var latest = StoredEpisode(ReleaseDate);
        var excluded = StoredEpisode(ReleaseDate.AddDays(5), EpisodeStatus.Excluded);

        Assert.Same(latest, Episode.WindowHolding([earlier, latest, excluded], ReleaseDate.AddDays(21)));
        Assert.Null(Episode.WindowHolding([earlier, latest, excluded], ReleaseDate.AddDays(22)));
        Assert.Null(Episode.WindowHolding([latest], ReleaseDate.AddDays(-1)));
        Assert.Same(earlier, Episode.WindowHolding([earlier, latest], ReleaseDate.AddDays(-10)));
    }

    [Theory]
    // Spring forward, 29 March 2026 (01:00 GMT becomes 02:00 BST).
    [InlineData("2026-03-28T23:59:59Z", "2026-03-28")]
    [InlineData("2026-03-29T00:00:00Z", "2026-03-29")]
    [InlineData("2026-03-29T22:59:59Z", "2026-03-29")]
    [InlineData("2026-03-29T23:00:00Z", "2026-03-30")]
    // Fall back, 25 October 2026 (02:00 BST becomes 01:00 GMT).
    [InlineData("2026-10-24T22:59:59Z", "2026-10-24")]
    [InlineData("2026-10-24T23:00:00Z", "2026-10-25")]
    [InlineData("2026-10-25T23:59:59Z", "2026-10-25")]
    [InlineData("2026-10-26T00:00:00Z", "2026-10-26")]
    // An HMPPS occurredAt with its own offset: the London date, not the sender's.
    [InlineData("2026-07-01T00:30:00+02:00", "2026-06-30")]
    public void The_day_is_the_Europe_London_date_across_the_clock_changes(string instant, string londonDate) =>
        Assert.Equal(DateOnly.Parse(londonDate), CareWindow.DayOf(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_window_spanning_a_clock_change_still_closes_at_London_midnight_after_day_21()
    {
        // Released in GMT, day 21 in BST: the window closes at 00:00 BST on day 22, which is 23:00 UTC on day 21.
        var close = ContinuityHub.Features.FollowUps.FollowUpSchedule.For(new DateOnly(2026, 3, 10)).Last();
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 23, 0, 0, TimeSpan.Zero), close.DueAt.ToUniversalTime());
        Assert.Equal(CareWindow.Deadline(new DateOnly(2026, 3, 10)), close.LocalDate);
    }
}
