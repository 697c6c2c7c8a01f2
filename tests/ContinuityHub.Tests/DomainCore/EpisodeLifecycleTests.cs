using static ContinuityHub.Tests.DomainCore.DomainFixtures;

namespace ContinuityHub.Tests.DomainCore;

/// <summary>The episode's own transitions (contract §4, §6, §7) as the core enforces them, without a database.</summary>
public sealed class EpisodeLifecycleTests
{
    private static readonly Person Someone = Person.New("A1234BC", Now);

    [Fact]
    public void A_new_episode_is_version_1_whatever_happens_to_it_in_its_first_unit_of_work()
    {
        var episode = Episode.Open(Someone, ReleaseDate, ReleaseDateSources.PlannedNotification, Now);
        episode.TakeNotification(ReleaseDate, Details(), Now);
        var (referral, outcome) = episode.DecideReferral(null, Now);

        Assert.Equal((1, 1, ReferralOutcomes.Created), (episode.Version, referral!.Version, outcome));
        Assert.True(episode.HasChanges);
        Assert.True(referral.HasNewVersion);
        Assert.Equal((EpisodeStatus.Open, TaskStatuses.Requested, "EXS2SN", "ONI"), (episode.Status, referral.TaskStatus, referral.ProviderOds, referral.RequesterPrisonCode));
    }

    [Theory]
    [InlineData(ReleaseDateSources.PlannedNotification, false, true)]
    [InlineData(ReleaseDateSources.PlannedNotification, true, true)]
    [InlineData(ReleaseDateSources.ReleasedNotification, false, false)]
    [InlineData(ReleaseDateSources.ReleasedNotification, true, true)]
    [InlineData(ReleaseDateSources.HmppsEvent, false, false)]
    [InlineData(ReleaseDateSources.HmppsEvent, true, false)]
    public void A_notifications_date_replaces_the_current_one_only_when_at_least_as_authoritative(string held, bool released, bool replaced)
    {
        var episode = StoredEpisode(source: held);
        var moved = ReleaseDate.AddDays(3);

        episode.TakeNotification(moved, Details(released: released), Now);

        Assert.Equal(replaced ? moved : ReleaseDate, episode.ReleaseDate);
        Assert.True(episode.HasChanges);
    }

    [Fact]
    public void An_HMPPS_release_event_confirms_the_date_over_any_notification_and_a_planned_one_never_moves_it_back()
    {
        var episode = StoredEpisode(source: ReleaseDateSources.ReleasedNotification);
        var confirmed = ReleaseDate.AddDays(1);

        episode.ConfirmRelease(confirmed, ReleaseClassification.CommunityRelease, "CR", false, "WDI", null, Now);
        episode.TakeNotification(ReleaseDate, Details(released: true), Now);

        Assert.Equal((confirmed, ReleaseDateSources.HmppsEvent), (episode.ReleaseDate, episode.ReleaseDateSource));
        Assert.True(episode.ReleaseDateConfirmed);
    }

    [Theory]
    [InlineData(ReleaseClassification.Died, ExclusionReasons.Died)]
    [InlineData(ReleaseClassification.Hospital, ExclusionReasons.Hospital)]
    [InlineData(ReleaseClassification.RemovedFromUk, ExclusionReasons.RemovedFromUk)]
    public void A_release_to_hospital_a_death_or_a_removal_excludes_the_episode_on_the_release_date(string classification, string reason)
    {
        var episode = StoredEpisode();
        var referral = StoredReferral(episode);

        episode.ConfirmRelease(ReleaseDate, classification, "X", false, null, referral, Now);

        Assert.Equal((EpisodeStatus.Excluded, reason, ReleaseDate), (episode.Status, episode.ExclusionReason, episode.ExclusionDate));
        Assert.Equal(TaskStatuses.Cancelled, referral.TaskStatus);
    }

    [Fact]
    public void An_exclusion_applies_only_when_not_engaged_on_or_before_it_and_an_earlier_one_stands()
    {
        var engaged = StoredEpisode();
        StoredReferral(engaged).RecordEngagement(engaged, ReleaseDate.AddDays(5), ReleaseDate.AddDays(6), Now);
        Assert.Equal(ExclusionResult.EngagedBefore, engaged.Exclude(ExclusionReasons.Died, ReleaseDate.AddDays(5), null, Now));
        Assert.Equal(ExclusionResult.Excluded, engaged.Exclude(ExclusionReasons.Died, ReleaseDate.AddDays(4), null, Now));

        var episode = StoredEpisode();
        Assert.Equal(ExclusionResult.Excluded, episode.Exclude(ExclusionReasons.ReturnedToCustody, ReleaseDate.AddDays(9), null, Now));
        Assert.Equal(ExclusionResult.AlreadyExcluded, episode.Exclude(ExclusionReasons.Died, ReleaseDate.AddDays(9), null, Now));
        Assert.Equal(ExclusionResult.AlreadyExcluded, episode.Exclude(ExclusionReasons.Died, ReleaseDate.AddDays(12), null, Now));
        Assert.Equal(ExclusionResult.Excluded, episode.Exclude(ExclusionReasons.Hospital, ReleaseDate.AddDays(2), null, Now));
        Assert.Equal((ExclusionReasons.Hospital, ReleaseDate.AddDays(2)), (episode.ExclusionReason, episode.ExclusionDate));
        Assert.Equal(4, episode.Version);
    }

    [Fact]
    public void A_late_exclusion_cancels_a_failed_referral_and_an_unchanged_episode_is_no_change()
    {
        var episode = StoredEpisode(status: EpisodeStatus.NotEngaged);
        var referral = StoredReferral(episode, TaskStatuses.Failed);
        Assert.Equal(ExclusionResult.Excluded, episode.Exclude(ExclusionReasons.Died, ReleaseDate.AddDays(10), referral, Now));
        Assert.Equal(TaskStatuses.Cancelled, referral.TaskStatus);

        var engaged = StoredEpisode(status: EpisodeStatus.Engaged);
        engaged.ChangesSaved();
        Assert.False(engaged.HasChanges);
    }

    [Theory]
    [InlineData(TaskStatuses.Requested, true)]
    [InlineData(TaskStatuses.Accepted, true)]
    [InlineData(TaskStatuses.InProgress, false)]
    [InlineData(TaskStatuses.Rejected, false)]
    public void Closing_the_window_records_not_engaged_and_fails_the_task_where_the_state_machine_allows(string status, bool failed)
    {
        var episode = StoredEpisode();
        var referral = StoredReferral(episode, status);

        Assert.Equal(failed, episode.CloseWindow(referral, Now));

        Assert.Equal(EpisodeStatus.NotEngaged, episode.Status);
        Assert.Equal(failed ? TaskStatuses.Failed : status, referral.TaskStatus);
        Assert.Equal(4, episode.Version);
        // The Task shows the episode's status: the referral is a new version once the change is shown on it.
        episode.ShowChangesOn(referral, Now);
        Assert.Equal(6, referral.Version);
    }

    [Fact]
    public void The_referral_gets_a_new_version_only_for_a_change_its_ServiceRequest_or_Task_shows()
    {
        var contactOnly = StoredEpisode();
        var referral = StoredReferral(contactOnly);
        contactOnly.TakeNotification(ReleaseDate, Details(prisonTeamEmail: "team@example.nhs.uk"), Now);
        contactOnly.ShowChangesOn(referral, Now);
        Assert.Equal(5, referral.Version);
        Assert.Equal(4, contactOnly.Version);

        var need = StoredEpisode();
        var needReferral = StoredReferral(need);
        need.TakeNotification(ReleaseDate, Details(substances: ["opiates", "alcohol"]), Now);
        need.ShowChangesOn(needReferral, Now);
        need.ShowChangesOn(needReferral, Now);
        Assert.Equal(6, needReferral.Version);

        var fresh = Episode.Open(Someone, ReleaseDate, ReleaseDateSources.HmppsEvent, Now);
        var freshReferral = StoredReferral(fresh);
        fresh.ConfirmRelease(ReleaseDate.AddDays(2), ReleaseClassification.CommunityRelease, "CR", false, null, freshReferral, Now);
        fresh.ShowChangesOn(freshReferral, Now);
        Assert.Equal(5, freshReferral.Version);
    }

    [Fact]
    public void A_notification_decides_the_referral_need_consent_and_provider_first()
    {
        Assert.Equal(ReferralOutcomes.NoTreatmentNeed, Decide(Details(substances: [])).Outcome);
        Assert.Equal(ReferralOutcomes.NoConsent, Decide(Details(consent: false)).Outcome);
        Assert.Equal(ReferralOutcomes.NoProviderForDestination, Decide(Details(provider: null)).Outcome);

        static (Referral? Referral, string Outcome) Decide(NotificationDetails details)
        {
            var episode = StoredEpisode();
            episode.TakeNotification(ReleaseDate, details, Now);
            return episode.DecideReferral(null, Now);
        }
    }

    [Fact]
    public void Consent_withdrawn_cancels_an_unfinished_referral_and_a_new_destination_readdresses_a_requested_one()
    {
        var withdrawn = StoredEpisode();
        var shared = StoredReferral(withdrawn, TaskStatuses.Accepted);
        withdrawn.TakeNotification(ReleaseDate, Details(consent: false), Now);
        Assert.Equal(ReferralOutcomes.ConsentWithdrawn, withdrawn.DecideReferral(shared, Now).Outcome);
        Assert.Equal((TaskStatuses.Cancelled, 6), (shared.TaskStatus, shared.Version));
        Assert.True(withdrawn.ConsentWithdrawn);
        withdrawn.ChangesSaved();
        withdrawn.TakeNotification(ReleaseDate, Details(consent: false), Now);
        Assert.False(withdrawn.ConsentWithdrawn);

        var finished = StoredEpisode();
        var completed = StoredReferral(finished, TaskStatuses.Completed);
        finished.TakeNotification(ReleaseDate, Details(consent: false), Now);
        Assert.Equal(ReferralOutcomes.NoConsent, finished.DecideReferral(completed, Now).Outcome);

        var moved = StoredEpisode();
        var requested = StoredReferral(moved);
        moved.TakeNotification(ReleaseDate, Details(provider: "NEWODS", prison: "WDI"), Now);
        Assert.Equal(ReferralOutcomes.Updated, moved.DecideReferral(requested, Now).Outcome);
        Assert.Equal(("NEWODS", "WDI", 6), (requested.ProviderOds, requested.RequesterPrisonCode, requested.Version));

        var answered = StoredEpisode();
        var accepted = StoredReferral(answered, TaskStatuses.Accepted);
        answered.TakeNotification(ReleaseDate, Details(provider: "NEWODS"), Now);
        answered.DecideReferral(accepted, Now);
        Assert.Equal("EXS2SN", accepted.ProviderOds);
    }

    [Fact]
    public void A_person_takes_the_latest_identity_but_never_loses_an_identifier_and_outside_scope_only_fills_blanks()
    {
        var person = Person.New("A1234BC", Now);
        person.TakeIdentity(new PersonIdentity("Sam", "Example", new DateOnly(1985, 3, 14), "male", "9434765919", "X123456", null), Now);
        person.TakeIdentity(new PersonIdentity("Samuel", "Example", new DateOnly(1985, 3, 14), null, null, null, "2001/0123456F"), Now);
        Assert.Equal(("Samuel", "9434765919", "X123456", "2001/0123456F", "male"), (person.GivenName, person.NhsNumber, person.Crn, person.PncNumber, person.Gender));

        person.FillBlanks(new PersonIdentity("Other", "Name", null, "female", "1111111111", null, null), Now);
        Assert.Equal(("Samuel", "Example", "9434765919", "male"), (person.GivenName, person.FamilyName, person.NhsNumber, person.Gender));
    }
}
