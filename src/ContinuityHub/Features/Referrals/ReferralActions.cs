using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Referrals;

/// <summary>What a provider sees of a referral after acting on it: ids, states and dates, no personal data.</summary>
public sealed record ReferralState(Guid ReferralId, Guid EpisodeId, string Status, int Version, string ProviderOds,
    DateOnly ReleaseDate, DateOnly Deadline, DateOnly? AppointmentDate, DateOnly? EngagedOn, string? RejectionReason);

public abstract record ActionOutcome
{
    public sealed record Done(ReferralState State) : ActionOutcome;
    public sealed record NotFound : ActionOutcome;
    public sealed record Forbidden(string Detail) : ActionOutcome;
    /// <summary>The request is understood but breaks a rule (an illegal transition, a date before release).</summary>
    public sealed record Refused(FieldProblem Problem) : ActionOutcome;
    /// <summary>The caller acted on a version that is no longer current (If-Match).</summary>
    public sealed record Stale(int CurrentVersion) : ActionOutcome;
}

/// <summary>
/// Provider actions on a referral (contract §5), each in one transaction under the person's lock, through
/// <see cref="ReferralStateMachine"/>, audited, and bumping the referral's version.
/// </summary>
public sealed class ReferralActions(HubDbContext db, EpisodeLedger ledger, AuditTrail audit, TimeProvider clock)
{
    public const int WindowDays = 21;
    public const int RejectionReasonMaxLength = Data.TextLimits.RejectionReason;

    public Task<ActionOutcome> AcceptAsync(Guid referralId, HubUser user, CancellationToken cancellationToken, int? expectedVersion = null) =>
        ActAsync(referralId, user, "referral.accept", (referral, _) =>
            Move(referral, TaskStatuses.Accepted), cancellationToken, expectedVersion);

    public Task<ActionOutcome> RejectAsync(Guid referralId, string reason, HubUser user, CancellationToken cancellationToken, int? expectedVersion = null) =>
        ActAsync(referralId, user, "referral.reject", (referral, _) =>
        {
            var refused = Move(referral, TaskStatuses.Rejected);
            if (refused is null) referral.RejectionReason = reason;
            return refused;
        }, cancellationToken, expectedVersion);

    /// <summary>in-progress → completed: the provider closes the referral after engagement.</summary>
    public Task<ActionOutcome> CompleteAsync(Guid referralId, HubUser user, CancellationToken cancellationToken, int? expectedVersion = null) =>
        ActAsync(referralId, user, "referral.complete", (referral, _) =>
            Move(referral, TaskStatuses.Completed), cancellationToken, expectedVersion);

    public Task<ActionOutcome> RecordAppointmentAsync(Guid referralId, DateOnly date, HubUser user, CancellationToken cancellationToken) =>
        ActAsync(referralId, user, "referral.appointment", (referral, episode) =>
        {
            if (referral.TaskStatus is not (TaskStatuses.Requested or TaskStatuses.Accepted or TaskStatuses.InProgress))
                return new FieldProblem("/date", $"an appointment cannot be booked on a {referral.TaskStatus} referral.");
            if (date < episode.ReleaseDate)
                return new FieldProblem("/date", "is before the release date; book the first community appointment on or after release.");
            // Booking an appointment is accepting the referral.
            if (referral.TaskStatus == TaskStatuses.Requested) referral.TaskStatus = TaskStatuses.Accepted;
            referral.AppointmentDate = date;
            return null;
        }, cancellationToken);

    /// <summary>
    /// The first attended structured intervention. Before the release date or in the future → refused.
    /// An earlier date replaces a later one (it is the *first* engagement). Engagement on or before an
    /// exclusion's date means the exclusion does not apply (§7).
    /// </summary>
    public Task<ActionOutcome> RecordEngagementAsync(Guid referralId, DateOnly date, HubUser user, CancellationToken cancellationToken, int? expectedVersion = null) =>
        ActAsync(referralId, user, "referral.engagement", (referral, episode) =>
        {
            if (date < episode.ReleaseDate) return new FieldProblem("/date", "is before the release date; engagement is in the community, after release.");
            if (date > LondonTime.Today(clock)) return new FieldProblem("/date", "is in the future; record an engagement once it has happened.");
            if (referral.TaskStatus is TaskStatuses.Rejected or TaskStatuses.Cancelled && !(episode.Status == EpisodeStatus.Excluded && date <= episode.ExclusionDate))
                return new FieldProblem("/date", $"the referral is {referral.TaskStatus}; engagement cannot be recorded on it.");

            if (episode.EngagedOn is null || date < episode.EngagedOn) episode.EngagedOn = date;
            if (episode.Status == EpisodeStatus.Excluded && episode.EngagedOn <= episode.ExclusionDate)
            {
                episode.ExclusionReason = null;
                episode.ExclusionDate = null;
            }
            var withinWindow = episode.EngagedOn <= episode.ReleaseDate.AddDays(WindowDays);
            episode.Status = withinWindow ? EpisodeStatus.Engaged : EpisodeStatus.NotEngaged;
            referral.TaskStatus = referral.TaskStatus switch
            {
                TaskStatuses.Failed when withinWindow => TaskStatuses.Completed,
                TaskStatuses.Failed => TaskStatuses.Failed,
                TaskStatuses.InProgress or TaskStatuses.Completed => referral.TaskStatus,
                // Someone who walks in before the referral was accepted has still engaged.
                _ => TaskStatuses.InProgress,
            };
            return null;
        }, cancellationToken, expectedVersion);

    private static FieldProblem? Move(Referral referral, string to) =>
        ReferralStateMachine.ProviderMay(referral.TaskStatus, to)
            ? SetStatus(referral, to)
            : new FieldProblem("", $"a {referral.TaskStatus} referral cannot become {to}.");

    private static FieldProblem? SetStatus(Referral referral, string to)
    {
        referral.TaskStatus = to;
        return null;
    }

    private async Task<ActionOutcome> ActAsync(Guid referralId, HubUser user, string action,
        Func<Referral, Episode, FieldProblem?> change, CancellationToken cancellationToken, int? expectedVersion = null)
    {
        var located = await db.Referrals.AsNoTracking().Include(r => r.Episode).SingleOrDefaultAsync(r => r.Id == referralId, cancellationToken);
        if (located is null) return new ActionOutcome.NotFound();
        if (!CallerScope.Of(user).MayActAsProvider(located.Episode!, located))
            return new ActionOutcome.Forbidden("This referral is not open to you: it is addressed to another provider (your token's ods claim), or the person has not consented to sharing.");

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ledger.LockPersonAsync(located.Episode!.NomsNumber, cancellationToken);
        var referral = await db.Referrals.Include(r => r.Episode).SingleAsync(r => r.Id == referralId, cancellationToken);
        var episode = referral.Episode!;
        // Consent may have been withdrawn since the look above: asked again under the person's lock.
        if (!CallerScope.Of(user).MayActAsProvider(episode, referral))
            return new ActionOutcome.Forbidden("This referral is not open to you: the person has not consented to sharing.");
        // Checked under the person's lock, so two clients holding the same version cannot both win.
        if (expectedVersion is { } expected && expected != referral.Version) return new ActionOutcome.Stale(referral.Version);
        if (change(referral, episode) is { } problem) return new ActionOutcome.Refused(problem);

        referral.Version++;
        referral.UpdatedAt = clock.GetUtcNow();
        ledger.Touch(episode);
        audit.Record(action, "Referral", referral.Id.ToString());
        await ledger.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ActionOutcome.Done(StateOf(referral, episode));
    }

    public static ReferralState StateOf(Referral referral, Episode episode) => new(
        referral.Id, episode.Id, referral.TaskStatus, referral.Version, referral.ProviderOds, episode.ReleaseDate,
        episode.ReleaseDate.AddDays(WindowDays), referral.AppointmentDate, episode.EngagedOn, referral.RejectionReason);
}
