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
/// the referral's own transitions (<see cref="Referral"/>: the state machine, the new version), audited.
/// </summary>
public sealed class ReferralActions(HubDbContext db, EpisodeLedger ledger, AuditTrail audit, TimeProvider clock)
{
    public const int RejectionReasonMaxLength = Data.TextLimits.RejectionReason;

    public Task<ActionOutcome> AcceptAsync(Guid referralId, HubUser user, CancellationToken cancellationToken, int? expectedVersion = null) =>
        ActAsync(referralId, user, "referral.accept", (referral, episode, now) => referral.Accept(episode, now), cancellationToken, expectedVersion);

    public Task<ActionOutcome> RejectAsync(Guid referralId, string reason, HubUser user, CancellationToken cancellationToken, int? expectedVersion = null) =>
        ActAsync(referralId, user, "referral.reject", (referral, episode, now) => referral.Reject(episode, reason, now), cancellationToken, expectedVersion);

    /// <summary>in-progress → completed: the provider closes the referral after engagement.</summary>
    public Task<ActionOutcome> CompleteAsync(Guid referralId, HubUser user, CancellationToken cancellationToken, int? expectedVersion = null) =>
        ActAsync(referralId, user, "referral.complete", (referral, episode, now) => referral.Complete(episode, now), cancellationToken, expectedVersion);

    public Task<ActionOutcome> RecordAppointmentAsync(Guid referralId, DateOnly date, HubUser user, CancellationToken cancellationToken) =>
        ActAsync(referralId, user, "referral.appointment", (referral, episode, now) => referral.BookAppointment(episode, date, now), cancellationToken);

    /// <summary>The first attended structured intervention (<see cref="Referral.RecordEngagement"/>).</summary>
    public Task<ActionOutcome> RecordEngagementAsync(Guid referralId, DateOnly date, HubUser user, CancellationToken cancellationToken, int? expectedVersion = null) =>
        ActAsync(referralId, user, "referral.engagement", (referral, episode, now) =>
            referral.RecordEngagement(episode, date, LondonTime.Today(clock), now), cancellationToken, expectedVersion);

    private async Task<ActionOutcome> ActAsync(Guid referralId, HubUser user, string action,
        Func<Referral, Episode, DateTimeOffset, TransitionRefused?> change, CancellationToken cancellationToken, int? expectedVersion = null)
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
        if (change(referral, episode, clock.GetUtcNow()) is { } refused)
            return new ActionOutcome.Refused(new FieldProblem(refused.Field == RefusedField.Date ? "/date" : "", refused.Detail));

        audit.Record(action, "Referral", referral.Id.ToString());
        await ledger.SaveAndCommitAsync(transaction, cancellationToken);
        return new ActionOutcome.Done(StateOf(referral, episode));
    }

    public static ReferralState StateOf(Referral referral, Episode episode) => new(
        referral.Id, episode.Id, referral.TaskStatus, referral.Version, referral.ProviderOds, episode.ReleaseDate,
        CareWindow.Deadline(episode.ReleaseDate), referral.AppointmentDate, episode.EngagedOn, referral.RejectionReason);
}
