using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContinuityHub.Features.Releases;

public enum IntakeResult { Created, Replayed, Conflict, IdentityConflict }

/// <summary>What became of a notification; <paramref name="ConflictId"/> names the recorded identity conflict.</summary>
public sealed record IntakeOutcome(IntakeResult Result, ReleaseAccepted? Body, Guid? ConflictId = null);

/// <summary>The answer body of an accepted notification (contract §4.1), identical on a replay.</summary>
public sealed record ReleaseAccepted(Guid NotificationId, Guid EpisodeId, Guid? ReferralId, string? ServiceRequest, string? Task, string ReferralOutcome)
{
    public static ReleaseAccepted From(ReleaseNotification stored) => new(
        stored.NotificationId, stored.EpisodeId, stored.ReferralId,
        stored.ReferralId is { } id ? $"/fhir/ServiceRequest/{id}" : null,
        stored.ReferralId is { } taskId ? $"/fhir/Task/{taskId}" : null,
        stored.ReferralOutcome);
}

/// <summary>A validated notification waiting to be taken in, with who sent it (the audit's actor).</summary>
public sealed record IntakeItem(ValidReleaseNotification Notification, CanonicalJson Payload, HubUser User, Actor Actor);

/// <summary>
/// Takes in validated release notifications: idempotency by notificationId, the one-episode-per-release merge,
/// routing to a provider through the mappings, and the referral. A group of notifications about different people
/// and with different ids (<see cref="IntakeGroupCommit"/> forms them) is one unit of work — one lock-and-find round
/// trip, one write round trip, one commit — and each notification is decided exactly as if it had come alone: it
/// sees what every earlier notification about its person committed, and nothing else in the group is about them.
/// All of a group commits together or not at all.
/// </summary>
public sealed class ReleaseIntakeService(HubDbContext db, EpisodeLedger ledger, NotificationScope scope, IdentityConflictLog conflicts,
    ReferenceData mappings, AuditTrail audit, CurrentActor actor, TimeProvider clock)
{
    public async Task<IReadOnlyList<IntakeOutcome>> ProcessGroupAsync(IReadOnlyList<IntakeItem> items, CancellationToken cancellationToken)
    {
        try
        {
            // Optimistic: most notifications are new, so the first attempt does not look the ids up; the primary key
            // of release_notifications catches a repeat, and the second attempt answers it.
            return await ProcessOnceAsync(items, lookUpFirst: false, cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A repeat (or the same notificationId committed concurrently): roll back and answer as for a retry.
            db.ChangeTracker.Clear();
            return await ProcessOnceAsync(items, lookUpFirst: true, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<IntakeOutcome>> ProcessOnceAsync(IReadOnlyList<IntakeItem> items, bool lookUpFirst, CancellationToken cancellationToken)
    {
        // EF Core would compare every tracked row with its snapshot at each look at the unit of work (each `Local`, each
        // entity read), which grows with the group; the ledger detects the changes once, before saving.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return await ProcessInTransactionAsync(items, lookUpFirst, cancellationToken);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
    }

    private async Task<IReadOnlyList<IntakeOutcome>> ProcessInTransactionAsync(IReadOnlyList<IntakeItem> items, bool lookUpFirst, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var people = await ledger.LockAndFindManyAsync(items.Select(i => i.Notification.Person.NomsNumber).ToList(), cancellationToken);
        var previous = new Dictionary<Guid, ReleaseNotification>();
        if (lookUpFirst)
        {
            var ids = items.Select(i => i.Notification.NotificationId).ToList();
            previous = await db.ReleaseNotifications.AsNoTracking().Where(n => ids.Contains(n.NotificationId)).ToDictionaryAsync(n => n.NotificationId, cancellationToken);
        }

        var outcomes = new IntakeOutcome[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            using (actor.ActFor(items[i].Actor))
                outcomes[i] = previous.TryGetValue(items[i].Notification.NotificationId, out var stored)
                    ? AnswerRepeat(stored, items[i].Payload)
                    : await TakeInAsync(items[i], people[items[i].Notification.Person.NomsNumber], cancellationToken);
        }
        await ledger.SaveAndCommitAsync(transaction, cancellationToken);
        return outcomes;
    }

    private static IntakeOutcome AnswerRepeat(ReleaseNotification previous, CanonicalJson payload) =>
        previous.ContentHash == payload.Hash ? new IntakeOutcome(IntakeResult.Replayed, ReleaseAccepted.From(previous)) : new IntakeOutcome(IntakeResult.Conflict, null);

    /// <summary>One notification, added to the group's unit of work (or, on an identity conflict, only the conflict).</summary>
    private async Task<IntakeOutcome> TakeInAsync(IntakeItem item, LockedPerson found, CancellationToken cancellationToken)
    {
        var (notification, payload, user) = (item.Notification, item.Payload, item.User);
        var person = ledger.PersonOf(found);
        var episode = Episode.Mergeable(found.Episodes, notification.Release.ReleaseDate);
        var decision = await scope.DecideAsync(notification, user, person, episode, cancellationToken);
        if (decision is WriteDecision.Conflict conflict)
        {
            // A retry of a notification taken in before its episode moved elsewhere is still a retry.
            var earlier = await db.ReleaseNotifications.AsNoTracking()
                .SingleOrDefaultAsync(n => n.NotificationId == notification.NotificationId, cancellationToken);
            if (earlier is not null) return AnswerRepeat(earlier, payload);
            // Nothing of the notification is written, only the conflict (a new person is never in conflict: no record to disagree with).
            var personId = db.Entry(person).State == EntityState.Added ? (Guid?)null : person.Id;
            if (personId is null) db.Entry(person).State = EntityState.Detached;
            var recorded = conflicts.Add(ConflictChannels.ReleaseNotification, ConflictReasons.IdentityDisagrees, conflict.DisagreeingFields,
                personId, episode?.Id, notification.NotificationId);
            audit.Record("release-notification.identity-conflict", "Person", personId?.ToString() ?? "");
            return new IntakeOutcome(IntakeResult.IdentityConflict, null, recorded.Id);
        }
        var now = clock.GetUtcNow();
        var identity = IdentityOf(notification.Person);
        if (decision is WriteDecision.Covered) person.TakeIdentity(identity, now);
        else person.FillBlanks(identity, now);

        var release = notification.Release;
        episode ??= ledger.OpenEpisode(person, release.ReleaseDate, release.Status == ReleaseStatuses.Released
            ? ReleaseDateSources.ReleasedNotification
            : ReleaseDateSources.PlannedNotification);
        episode.TakeNotification(release.ReleaseDate, DetailsOf(notification), now);
        if (decision is WriteDecision.Agreed { Transfer: { } transfer })
        {
            db.Set<EpisodeTransfer>().Add(transfer);
            audit.Record($"episode.transfer.{transfer.Kind}", "Episode", episode.Id.ToString());
        }

        // A new episode cannot have a referral yet: skip the query on the busiest path.
        var existing = db.Entry(episode).State == EntityState.Added ? null : await ledger.ReferralOfAsync(episode, cancellationToken);
        var (referral, outcome) = episode.DecideReferral(existing, now);
        if (referral is not null) ledger.AddReferral(referral);

        var stored = new ReleaseNotification
        {
            NotificationId = notification.NotificationId,
            Source = notification.Source,
            ContentHash = payload.Hash,
            EpisodeId = episode.Id,
            ReferralId = referral?.Id,
            ReferralOutcome = outcome,
            Payload = payload.Text,
            SubmittedBy = user.Subject,
            ReceivedAt = clock.GetUtcNow(),
        };
        db.Entry(stored).State = EntityState.Added;
        audit.Record("release-notification.receive", "Episode", episode.Id.ToString());
        return new IntakeOutcome(IntakeResult.Created, ReleaseAccepted.From(stored));
    }

    private static PersonIdentity IdentityOf(PersonDetails details) => new(details.GivenName, details.FamilyName, details.DateOfBirth,
        details.Gender, details.NhsNumber, details.Crn, details.PncNumber);

    /// <summary>The notification in the episode's terms, the destination resolved through the mappings.</summary>
    private NotificationDetails DetailsOf(ValidReleaseNotification notification)
    {
        var (release, need, contacts) = (notification.Release, notification.Need, notification.Contacts);
        var localAuthority = mappings.ResolveLocalAuthority(release.LocalAuthorityCode, release.Postcode);
        return new NotificationDetails(
            release.PrisonCode, release.ReleaseType, release.Status == ReleaseStatuses.Released,
            release.Postcode, release.LocalAuthorityCode, release.NoFixedAbode, localAuthority, mappings.ProviderFor(localAuthority)?.OdsCode,
            need.Substances, mappings.SubstanceGroup(need.Substances), need.InTreatmentInCustody,
            need.Ost?.Medication, need.Ost?.DailyDoseMg, need.Ost?.LastDoseDate, need.Ost?.BridgingPrescription,
            need.NaloxoneIssued, need.ConsentToShare,
            contacts.PrisonTeamEmail, contacts.ProbationPractitionerName, contacts.ProbationPractitionerEmail, contacts.PduCode);
    }
}
