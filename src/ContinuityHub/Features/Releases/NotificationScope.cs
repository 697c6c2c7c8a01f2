using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Releases;

/// <summary>What a notification may do to the records it names (see <see cref="NotificationScope"/>).</summary>
public abstract record WriteDecision
{
    /// <summary>The caller's scope covers the record: the notification applies in full, identity included.</summary>
    public sealed record Covered : WriteDecision;

    /// <summary>
    /// Outside the caller's scope, but the identity agrees: the notification applies, the person's identity fields
    /// are only filled where the hub holds none, and a mergeable episode moves to the sender's prison or delivery
    /// unit (<paramref name="Transfer"/>, null when there is no episode to move).
    /// </summary>
    public sealed record Agreed(string AgreedBy, EpisodeTransfer? Transfer) : WriteDecision;

    /// <summary>Outside the caller's scope and the identity disagrees: nothing is written.</summary>
    public sealed record Conflict(IReadOnlyList<string> DisagreeingFields) : WriteDecision;
}

/// <summary>
/// Scope on every write (docs/decisions.md, "Writes across scopes"). A notification may change an episode only if
/// the sender's scope covers it — its prison for a prison healthcare team, its delivery unit for probation — or
/// no notification has claimed it yet (it is known only from HMPPS events). Otherwise the person's identity must
/// agree (<see cref="IdentityAgreement"/>), and then the episode is transferred to the sender. With no episode to
/// merge into, the sender may rewrite the person's identity only if one of the person's episodes is in its
/// scope; otherwise the identity must agree, and it is only filled in, never overwritten.
/// </summary>
public sealed class NotificationScope(HubDbContext db, TimeProvider clock)
{
    public async Task<WriteDecision> DecideAsync(ValidReleaseNotification notification, HubUser user, Person person, Episode? mergeable,
        CancellationToken cancellationToken)
    {
        var incoming = notification.Person;
        if (mergeable is not null)
        {
            if (!mergeable.NeedKnown || Covers(user, notification.Source, mergeable)) return new WriteDecision.Covered();
            var verdict = IdentityAgreement.Judge(person, incoming.NhsNumber, incoming.DateOfBirth, incoming.FamilyName);
            return verdict.Agrees
                ? new WriteDecision.Agreed(verdict.AgreedBy!, TransferOf(notification, user, mergeable, verdict.AgreedBy!))
                : new WriteDecision.Conflict(verdict.DisagreeingFields);
        }

        if (db.Entry(person).State == EntityState.Added || !IdentityAgreement.HoldsIdentity(person)) return new WriteDecision.Covered();
        var episodes = await db.Episodes.AsNoTracking().Where(e => e.PersonId == person.Id).ToListAsync(cancellationToken);
        if (episodes.Any(e => Covers(user, notification.Source, e))) return new WriteDecision.Covered();
        var outside = IdentityAgreement.Judge(person, incoming.NhsNumber, incoming.DateOfBirth, incoming.FamilyName);
        return outside.Agrees ? new WriteDecision.Agreed(outside.AgreedBy!, null) : new WriteDecision.Conflict(outside.DisagreeingFields);
    }

    /// <summary>A prison team's scope is the episode's prison; probation's its delivery unit (<c>*</c> = all).</summary>
    private static bool Covers(HubUser user, string source, Episode episode) => source == ReleaseSources.Probation
        ? user.IsIn(HubRoles.Probation) && user.MayActForPdu(episode.PduCode)
        : user.IsIn(HubRoles.PrisonHealthcare) && user.MayActForPrison(episode.PrisonCode);

    private EpisodeTransfer? TransferOf(ValidReleaseNotification notification, HubUser user, Episode episode, string agreedBy)
    {
        var (kind, from, to) = notification.Source == ReleaseSources.Probation
            ? (TransferKinds.DeliveryUnit, episode.PduCode, notification.Contacts.PduCode)
            : (TransferKinds.Prison, episode.PrisonCode, notification.Release.PrisonCode);
        if (to is null || string.Equals(from, to, StringComparison.OrdinalIgnoreCase)) return null;
        return new EpisodeTransfer
        {
            Id = Guid.CreateVersion7(),
            EpisodeId = episode.Id,
            Kind = kind,
            FromCode = from,
            ToCode = to,
            AgreedBy = agreedBy,
            NotificationId = notification.NotificationId,
            ActorSubject = user.Subject,
            OccurredAt = clock.GetUtcNow(),
        };
    }
}
