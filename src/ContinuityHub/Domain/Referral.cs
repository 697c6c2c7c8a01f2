namespace ContinuityHub.Domain;

/// <summary>Which part of a request a refused transition is about: the move itself, or the date given with it.</summary>
public enum RefusedField { Status, Date }

/// <summary>A transition the rules refuse, with the reason in words for the caller (no personal data).</summary>
public sealed record TransitionRefused(RefusedField Field, string Detail);

/// <summary>
/// The referral to a community provider, backing the FHIR ServiceRequest and Task, and the owner of its closed loop
/// (§5): every move goes through <see cref="ReferralStateMachine"/> here, gives the referral a new <see cref="Version"/>
/// (one per unit of work) and marks its episode changed. A test holds the rest of the hub to reading the properties.
/// </summary>
public sealed class Referral
{
    public Guid Id { get; set; }
    public Guid EpisodeId { get; set; }
    public Episode? Episode { get; set; }
    public required string ProviderOds { get; set; }
    public string? RequesterPrisonCode { get; set; }
    /// <summary>The FHIR Task status (<see cref="TaskStatuses"/>).</summary>
    public string TaskStatus { get; set; } = TaskStatuses.Requested;
    public string? RejectionReason { get; set; }
    /// <summary>The first community appointment the provider has booked.</summary>
    public DateOnly? AppointmentDate { get; set; }
    public int Version { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    private bool isNew;
    private bool versionBumped;

    /// <summary>New, or at a new version in this unit of work: the state a provider has not been sent yet.</summary>
    public bool HasNewVersion => isNew || versionBumped;

    internal static Referral Create(Episode episode, string providerOds, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        EpisodeId = episode.Id,
        ProviderOds = providerOds,
        RequesterPrisonCode = episode.PrisonCode,
        TaskStatus = TaskStatuses.Requested,
        Version = 1,
        CreatedAt = now,
        UpdatedAt = now,
        isNew = true,
    };

    // Provider actions (§5), on the JSON conveniences and PUT /fhir/Task alike.

    public TransitionRefused? Accept(Episode episode, DateTimeOffset now) => ProviderMove(episode, TaskStatuses.Accepted, now);

    public TransitionRefused? Reject(Episode episode, string reason, DateTimeOffset now)
    {
        var refused = ProviderMove(episode, TaskStatuses.Rejected, now);
        if (refused is null) RejectionReason = reason;
        return refused;
    }

    /// <summary>in-progress → completed: the provider closes the referral after engagement.</summary>
    public TransitionRefused? Complete(Episode episode, DateTimeOffset now) => ProviderMove(episode, TaskStatuses.Completed, now);

    /// <summary>The first community appointment, on or after release; booking it accepts a still-requested referral.</summary>
    public TransitionRefused? BookAppointment(Episode episode, DateOnly date, DateTimeOffset now)
    {
        if (TaskStatus is not (TaskStatuses.Requested or TaskStatuses.Accepted or TaskStatuses.InProgress))
            return new TransitionRefused(RefusedField.Date, $"an appointment cannot be booked on a {TaskStatus} referral.");
        if (date < episode.ReleaseDate)
            return new TransitionRefused(RefusedField.Date, "is before the release date; book the first community appointment on or after release.");
        if (TaskStatus == TaskStatuses.Requested) TaskStatus = TaskStatuses.Accepted;
        AppointmentDate = date;
        Moved(episode, now);
        return null;
    }

    /// <summary>
    /// The first attended structured intervention (<see cref="Episode.Engage"/>). Before the release date or after
    /// <paramref name="today"/> → refused; on a rejected or cancelled referral only when it undoes an exclusion (§7).
    /// A requested referral goes straight to in-progress (someone who walks in before the referral was accepted has
    /// still engaged); a failed one completes when the engagement is dated inside the window (a late record, §7).
    /// </summary>
    public TransitionRefused? RecordEngagement(Episode episode, DateOnly date, DateOnly today, DateTimeOffset now)
    {
        if (date < episode.ReleaseDate) return new TransitionRefused(RefusedField.Date, "is before the release date; engagement is in the community, after release.");
        if (date > today) return new TransitionRefused(RefusedField.Date, "is in the future; record an engagement once it has happened.");
        if (TaskStatus is TaskStatuses.Rejected or TaskStatuses.Cancelled && !(episode.Status == EpisodeStatus.Excluded && date <= episode.ExclusionDate))
            return new TransitionRefused(RefusedField.Date, $"the referral is {TaskStatus}; engagement cannot be recorded on it.");

        var withinWindow = episode.Engage(date, now);
        TaskStatus = TaskStatus switch
        {
            TaskStatuses.Failed when withinWindow => TaskStatuses.Completed,
            TaskStatuses.Failed => TaskStatuses.Failed,
            TaskStatuses.InProgress or TaskStatuses.Completed => TaskStatus,
            _ => TaskStatuses.InProgress,
        };
        Moved(episode, now);
        return null;
    }

    // "an accepted referral", "a rejected referral": the refusal is read by people (pages and problem details).
    private static string Article(string status) => "aeiou".Contains(status[0]) ? "an" : "a";

    private TransitionRefused? ProviderMove(Episode episode, string to, DateTimeOffset now)
    {
        if (!ReferralStateMachine.ProviderMay(TaskStatus, to))
            return new TransitionRefused(RefusedField.Status, $"{Article(TaskStatus)} {TaskStatus} referral cannot become {to}.");
        TaskStatus = to;
        Moved(episode, now);
        return null;
    }

    /// <summary>A provider action changed the referral: a new version of it, and of its episode.</summary>
    private void Moved(Episode episode, DateTimeOffset now)
    {
        NewVersion(now);
        episode.Changed(now);
    }

    // The hub's moves (§5): cancelled (consent withdrawn, excluded) and failed (window closed).

    /// <summary>Consent withdrawn on a later notification cancels a referral that was shared and is not finished.</summary>
    internal bool CancelForWithdrawnConsent(DateTimeOffset now)
    {
        if (!ReferralStateMachine.HubMay(TaskStatus, TaskStatuses.Cancelled)) return false;
        TaskStatus = TaskStatuses.Cancelled;
        NewVersion(now);
        return true;
    }

    /// <summary>Its episode was excluded (the new version comes from the episode's status, which the Task shows).</summary>
    internal void CancelForExclusion()
    {
        if (ReferralStateMachine.HubMay(TaskStatus, TaskStatuses.Cancelled)) TaskStatus = TaskStatuses.Cancelled;
    }

    /// <summary>The window closed without engagement (the new version comes from the episode's status).</summary>
    internal bool FailAtWindowClose()
    {
        if (!ReferralStateMachine.HubMay(TaskStatus, TaskStatuses.Failed)) return false;
        TaskStatus = TaskStatuses.Failed;
        return true;
    }

    /// <summary>
    /// A later notification about the episode: a referral still unanswered follows the person's destination to the
    /// provider now covering it; the requesting prison is the episode's. Always a new version.
    /// </summary>
    internal void FollowEpisode(Episode episode, DateTimeOffset now)
    {
        if (TaskStatus == TaskStatuses.Requested && episode.ProviderOds is { } provider) ProviderOds = provider;
        RequesterPrisonCode = episode.PrisonCode;
        NewVersion(now);
    }

    /// <summary>One new version per unit of work (a new referral stays at 1).</summary>
    internal void NewVersion(DateTimeOffset now)
    {
        if (isNew || versionBumped) return;
        Version++;
        versionBumped = true;
        UpdatedAt = now;
    }

    /// <summary>The unit of work was saved: what follows is a new one.</summary>
    public void ChangesSaved() => isNew = versionBumped = false;
}
