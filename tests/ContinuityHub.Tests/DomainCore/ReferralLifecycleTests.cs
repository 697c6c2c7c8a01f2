using static ContinuityHub.Tests.DomainCore.DomainFixtures;

namespace ContinuityHub.Tests.DomainCore;

/// <summary>The referral's closed loop (contract §5) as the core enforces it, without a database.</summary>
public sealed class ReferralLifecycleTests
{
    public static TheoryData<string, string, bool> ProviderMoves()
    {
        var allowed = new HashSet<(string, string)>
        {
            (TaskStatuses.Requested, TaskStatuses.Accepted), (TaskStatuses.Requested, TaskStatuses.Rejected),
            (TaskStatuses.Accepted, TaskStatuses.InProgress), (TaskStatuses.InProgress, TaskStatuses.Completed),
        };
        var data = new TheoryData<string, string, bool>();
        foreach (var from in AllStatuses) foreach (var to in AllStatuses) data.Add(from, to, allowed.Contains((from, to)));
        return data;
    }

    public static TheoryData<string, string, bool> HubMoves()
    {
        var allowed = new HashSet<(string, string)>
        {
            (TaskStatuses.Requested, TaskStatuses.Cancelled), (TaskStatuses.Requested, TaskStatuses.Failed),
            (TaskStatuses.Accepted, TaskStatuses.Cancelled), (TaskStatuses.Accepted, TaskStatuses.Failed),
            (TaskStatuses.InProgress, TaskStatuses.Cancelled),
            (TaskStatuses.Failed, TaskStatuses.Completed), (TaskStatuses.Failed, TaskStatuses.Cancelled),
        };
        var data = new TheoryData<string, string, bool>();
        foreach (var from in AllStatuses) foreach (var to in AllStatuses) data.Add(from, to, allowed.Contains((from, to)));
        return data;
    }

    private static readonly string[] AllStatuses =
    [
        TaskStatuses.Requested, TaskStatuses.Accepted, TaskStatuses.Rejected, TaskStatuses.InProgress,
        TaskStatuses.Completed, TaskStatuses.Cancelled, TaskStatuses.Failed,
    ];

    [Theory]
    [MemberData(nameof(ProviderMoves))]
    public void A_provider_moves_only_along_the_closed_loop(string from, string to, bool allowed) =>
        Assert.Equal(allowed, ReferralStateMachine.ProviderMay(from, to));

    [Theory]
    [MemberData(nameof(HubMoves))]
    public void The_hub_cancels_and_fails_and_a_late_record_finishes_a_failed_referral(string from, string to, bool allowed) =>
        Assert.Equal(allowed, ReferralStateMachine.HubMay(from, to));

    [Fact]
    public void Accepting_a_requested_referral_is_a_new_version_of_it_and_of_its_episode()
    {
        var episode = StoredEpisode();
        var referral = StoredReferral(episode);

        Assert.Null(referral.Accept(episode, Now));

        Assert.Equal(TaskStatuses.Accepted, referral.TaskStatus);
        Assert.Equal(6, referral.Version);
        Assert.Equal(4, episode.Version);
        Assert.True(referral.HasNewVersion);
        Assert.True(episode.HasChanges);
        Assert.Equal(Now, referral.UpdatedAt);
    }

    [Fact]
    public void A_refused_move_changes_nothing()
    {
        var episode = StoredEpisode();
        var referral = StoredReferral(episode, TaskStatuses.Rejected);

        var refused = referral.Accept(episode, Now);

        Assert.Equal(new TransitionRefused(RefusedField.Status, "a rejected referral cannot become accepted."), refused);
        Assert.Equal((TaskStatuses.Rejected, 5, 3), (referral.TaskStatus, referral.Version, episode.Version));
        Assert.False(referral.HasNewVersion);
        Assert.False(episode.HasChanges);
    }

    [Fact]
    public void A_refusal_reads_as_English_whatever_the_status()
    {
        var episode = StoredEpisode();
        var referral = StoredReferral(episode, TaskStatuses.Accepted);

        Assert.Equal(new TransitionRefused(RefusedField.Status, "an accepted referral cannot become accepted."), referral.Accept(episode, Now));
    }

    [Fact]
    public void Several_moves_in_one_unit_of_work_are_one_version_and_the_next_unit_is_another()
    {
        var episode = StoredEpisode();
        var referral = StoredReferral(episode);

        referral.Accept(episode, Now);
        referral.BookAppointment(episode, ReleaseDate.AddDays(3), Now);
        Assert.Equal((6, 4), (referral.Version, episode.Version));

        episode.ChangesSaved();
        referral.ChangesSaved();
        referral.RecordEngagement(episode, ReleaseDate.AddDays(3), ReleaseDate.AddDays(4), Now);
        Assert.Equal((7, 5), (referral.Version, episode.Version));
    }

    [Fact]
    public void Rejecting_keeps_the_reason_and_completing_needs_engagement_first()
    {
        var episode = StoredEpisode();
        var rejected = StoredReferral(episode);
        Assert.Null(rejected.Reject(episode, "No capacity", Now));
        Assert.Equal((TaskStatuses.Rejected, "No capacity"), (rejected.TaskStatus, rejected.RejectionReason));

        var accepted = StoredReferral(StoredEpisode(), TaskStatuses.Accepted);
        Assert.Equal(RefusedField.Status, accepted.Complete(episode, Now)!.Field);
    }

    [Fact]
    public void An_appointment_accepts_a_requested_referral_and_may_not_be_before_release()
    {
        var episode = StoredEpisode();
        var referral = StoredReferral(episode);

        Assert.Equal(RefusedField.Date, referral.BookAppointment(episode, ReleaseDate.AddDays(-1), Now)!.Field);
        Assert.Equal(TaskStatuses.Requested, referral.TaskStatus);

        Assert.Null(referral.BookAppointment(episode, ReleaseDate, Now));
        Assert.Equal((TaskStatuses.Accepted, ReleaseDate), (referral.TaskStatus, referral.AppointmentDate));
        Assert.Equal(RefusedField.Date, StoredReferral(episode, TaskStatuses.Completed).BookAppointment(episode, ReleaseDate, Now)!.Field);
    }

    [Fact]
    public void Engagement_goes_straight_to_in_progress_and_may_be_neither_before_release_nor_in_the_future()
    {
        var episode = StoredEpisode();
        var referral = StoredReferral(episode);
        var today = ReleaseDate.AddDays(5);

        Assert.Equal(RefusedField.Date, referral.RecordEngagement(episode, ReleaseDate.AddDays(-1), today, Now)!.Field);
        Assert.Equal(RefusedField.Date, referral.RecordEngagement(episode, today.AddDays(1), today, Now)!.Field);
        Assert.False(episode.HasChanges);

        Assert.Null(referral.RecordEngagement(episode, ReleaseDate.AddDays(4), today, Now));
        Assert.Equal((TaskStatuses.InProgress, EpisodeStatus.Engaged, ReleaseDate.AddDays(4)), (referral.TaskStatus, episode.Status, episode.EngagedOn));

        // An earlier date replaces a later one: it is the first engagement.
        referral.RecordEngagement(episode, ReleaseDate.AddDays(2), today, Now);
        Assert.Equal(ReleaseDate.AddDays(2), episode.EngagedOn);
        referral.RecordEngagement(episode, ReleaseDate.AddDays(3), today, Now);
        Assert.Equal(ReleaseDate.AddDays(2), episode.EngagedOn);
    }

    [Theory]
    [InlineData(21, TaskStatuses.Completed, EpisodeStatus.Engaged)]
    [InlineData(22, TaskStatuses.Failed, EpisodeStatus.NotEngaged)]
    public void A_late_engagement_completes_a_failed_referral_only_when_dated_inside_the_window(int day, string task, string episodeStatus)
    {
        var episode = StoredEpisode(status: EpisodeStatus.NotEngaged);
        var referral = StoredReferral(episode, TaskStatuses.Failed);

        Assert.Null(referral.RecordEngagement(episode, ReleaseDate.AddDays(day), ReleaseDate.AddDays(40), Now));

        Assert.Equal((task, episodeStatus), (referral.TaskStatus, episode.Status));
    }

    [Fact]
    public void Engagement_on_or_before_an_exclusion_undoes_it_and_a_later_one_is_refused_on_the_cancelled_referral()
    {
        var episode = StoredEpisode();
        var referral = StoredReferral(episode, TaskStatuses.Accepted);
        episode.Exclude(ExclusionReasons.Died, ReleaseDate.AddDays(6), referral, Now);
        Assert.Equal(TaskStatuses.Cancelled, referral.TaskStatus);

        Assert.Equal(RefusedField.Date, referral.RecordEngagement(episode, ReleaseDate.AddDays(7), ReleaseDate.AddDays(9), Now)!.Field);

        Assert.Null(referral.RecordEngagement(episode, ReleaseDate.AddDays(6), ReleaseDate.AddDays(9), Now));
        Assert.Equal((EpisodeStatus.Engaged, null, null), (episode.Status, episode.ExclusionReason, episode.ExclusionDate));
        Assert.Equal(TaskStatuses.InProgress, referral.TaskStatus);
    }
}
