using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Referrals;
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

public static class ReferralOutcomes
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string NoTreatmentNeed = "no-treatment-need";
    public const string NoConsent = "not-shared-no-consent";
    public const string ConsentWithdrawn = "cancelled-consent-withdrawn";
    public const string NoProviderForDestination = "no-provider-for-destination";
}

/// <summary>
/// Takes in one validated release notification: idempotency by notificationId, the one-episode-per-release
/// merge, routing to a provider through the mappings, and the referral. All of it commits together or not at all.
/// </summary>
public sealed class ReleaseIntakeService(HubDbContext db, EpisodeLedger ledger, NotificationScope scope, IdentityConflictLog conflicts,
    ReferenceData mappings, AuditTrail audit, TimeProvider clock)
{
    public async Task<IntakeOutcome> ProcessAsync(
        ValidReleaseNotification notification, CanonicalJson payload, HubUser user, CancellationToken cancellationToken)
    {
        try
        {
            // Optimistic: most notifications are new, so the first attempt does not look the id up; the primary
            // key of release_notifications catches a repeat, and the second attempt answers it.
            return await ProcessOnceAsync(notification, payload, user, lookUpFirst: false, cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A repeat (or the same notificationId committed concurrently): roll back and answer as for a retry.
            db.ChangeTracker.Clear();
            return await ProcessOnceAsync(notification, payload, user, lookUpFirst: true, cancellationToken);
        }
    }

    private async Task<IntakeOutcome> ProcessOnceAsync(
        ValidReleaseNotification notification, CanonicalJson payload, HubUser user, bool lookUpFirst, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var (person, episode) = await ledger.LockAndFindPersonAsync(notification.Person.NomsNumber, notification.Release.ReleaseDate, cancellationToken);
        if (lookUpFirst)
        {
            var previous = await db.ReleaseNotifications.AsNoTracking()
                .SingleOrDefaultAsync(n => n.NotificationId == notification.NotificationId, cancellationToken);
            if (previous is not null)
                return previous.ContentHash == payload.Hash ? new IntakeOutcome(IntakeResult.Replayed, ReleaseAccepted.From(previous)) : new IntakeOutcome(IntakeResult.Conflict, null);
        }

        var decision = await scope.DecideAsync(notification, user, person, episode, cancellationToken);
        if (decision is WriteDecision.Conflict conflict)
        {
            // A retry of a notification taken in before its episode moved elsewhere is still a retry.
            var retry = !lookUpFirst && await db.ReleaseNotifications.AnyAsync(n => n.NotificationId == notification.NotificationId, cancellationToken);
            var personId = db.Entry(person).State == EntityState.Added ? (Guid?)null : person.Id;
            // Nothing of the notification is written: its transaction is rolled back, the conflict recorded on its own.
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            if (retry) return await ProcessOnceAsync(notification, payload, user, lookUpFirst: true, cancellationToken);
            var recorded = conflicts.Add(ConflictChannels.ReleaseNotification, ConflictReasons.IdentityDisagrees, conflict.DisagreeingFields,
                personId, episode?.Id, notification.NotificationId);
            audit.Record("release-notification.identity-conflict", "Person", personId?.ToString() ?? "");
            await db.SaveChangesAsync(cancellationToken);
            return new IntakeOutcome(IntakeResult.IdentityConflict, null, recorded.Id);
        }
        if (decision is WriteDecision.Covered) UpdatePerson(person, notification.Person);
        else FillPersonBlanks(person, notification.Person);

        var dateSource = notification.Release.Status == ReleaseStatuses.Released
            ? ReleaseDateSources.ReleasedNotification
            : ReleaseDateSources.PlannedNotification;
        if (episode is null) episode = ledger.OpenEpisode(person, notification.Release.ReleaseDate, dateSource);
        else EpisodeLedger.ApplyReleaseDate(episode, notification.Release.ReleaseDate, dateSource);
        ApplyNotification(episode, notification);
        ledger.Touch(episode);
        if (decision is WriteDecision.Agreed { Transfer: { } transfer })
        {
            db.Set<EpisodeTransfer>().Add(transfer);
            audit.Record($"episode.transfer.{transfer.Kind}", "Episode", episode.Id.ToString());
        }

        var (referral, outcome) = await DecideReferralAsync(episode, cancellationToken);

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
        db.ReleaseNotifications.Add(stored);
        audit.Record("release-notification.receive", "Episode", episode.Id.ToString());
        await ledger.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new IntakeOutcome(IntakeResult.Created, ReleaseAccepted.From(stored));
    }

    private void UpdatePerson(Person person, PersonDetails details)
    {
        // The latest notification wins for what it states; it never erases an identifier it does not mention.
        person.GivenName = details.GivenName;
        person.FamilyName = details.FamilyName;
        person.DateOfBirth = details.DateOfBirth;
        person.Gender = details.Gender ?? person.Gender;
        person.NhsNumber = details.NhsNumber ?? person.NhsNumber;
        person.Crn = details.Crn ?? person.Crn;
        person.PncNumber = details.PncNumber ?? person.PncNumber;
        person.UpdatedAt = clock.GetUtcNow();
    }

    /// <summary>
    /// A person outside the sender's scope whose identity agreed: the message may add what the hub does not hold,
    /// never change what it does.
    /// </summary>
    private void FillPersonBlanks(Person person, PersonDetails details)
    {
        person.GivenName ??= details.GivenName;
        person.FamilyName ??= details.FamilyName;
        person.DateOfBirth ??= details.DateOfBirth;
        person.Gender ??= details.Gender;
        person.NhsNumber ??= details.NhsNumber;
        person.Crn ??= details.Crn;
        person.PncNumber ??= details.PncNumber;
        person.UpdatedAt = clock.GetUtcNow();
    }

    private void ApplyNotification(Episode episode, ValidReleaseNotification notification)
    {
        var release = notification.Release;
        episode.PrisonCode = release.PrisonCode;
        episode.ReleaseType = release.ReleaseType ?? episode.ReleaseType;
        if (release.Status == ReleaseStatuses.Released && episode.ReleaseClassification is null)
            episode.ReleaseClassification = ReleaseClassification.CommunityRelease;
        episode.DestinationPostcode = release.Postcode;
        episode.DestinationLocalAuthorityCode = release.LocalAuthorityCode;
        episode.NoFixedAbode = release.NoFixedAbode;
        episode.LocalAuthorityCode = mappings.ResolveLocalAuthority(release.LocalAuthorityCode, release.Postcode);
        episode.ProviderOds = mappings.ProviderFor(episode.LocalAuthorityCode)?.OdsCode;

        var need = notification.Need;
        episode.NeedKnown = true;
        episode.Substances = [.. need.Substances];
        episode.SubstanceGroup = mappings.SubstanceGroup(need.Substances);
        episode.InTreatmentInCustody = need.InTreatmentInCustody;
        episode.OstMedication = need.Ost?.Medication;
        episode.OstDailyDoseMg = need.Ost?.DailyDoseMg;
        episode.OstLastDoseDate = need.Ost?.LastDoseDate;
        episode.OstBridgingPrescription = need.Ost?.BridgingPrescription;
        episode.NaloxoneIssued = need.NaloxoneIssued;
        episode.ConsentToShare = need.ConsentToShare;

        var contacts = notification.Contacts;
        episode.PrisonTeamEmail = contacts.PrisonTeamEmail ?? episode.PrisonTeamEmail;
        episode.ProbationPractitionerName = contacts.ProbationPractitionerName ?? episode.ProbationPractitionerName;
        episode.ProbationPractitionerEmail = contacts.ProbationPractitionerEmail ?? episode.ProbationPractitionerEmail;
        episode.PduCode = contacts.PduCode ?? episode.PduCode;
    }

    /// <summary>Only a release with a need, consent and a provider covering the destination is referred (contract §4.1).</summary>
    private async Task<(Referral?, string)> DecideReferralAsync(Episode episode, CancellationToken cancellationToken)
    {
        // A new episode cannot have a referral yet: skip the query on the busiest path.
        var existing = db.Entry(episode).State == EntityState.Added
            ? null
            : await db.Referrals.SingleOrDefaultAsync(r => r.EpisodeId == episode.Id, cancellationToken);
        var now = clock.GetUtcNow();
        if (!episode.HasTreatmentNeed) return (existing, ReferralOutcomes.NoTreatmentNeed);
        if (episode.ConsentToShare != true)
        {
            if (existing is null || !ReferralStateMachine.HubMay(existing.TaskStatus, TaskStatuses.Cancelled)) return (existing, ReferralOutcomes.NoConsent);
            existing.TaskStatus = TaskStatuses.Cancelled;
            existing.Version++;
            existing.UpdatedAt = now;
            return (existing, ReferralOutcomes.ConsentWithdrawn);
        }
        if (episode.ProviderOds is null) return (existing, ReferralOutcomes.NoProviderForDestination);
        if (existing is not null)
        {
            // Still unanswered: follow the person's destination to the provider now covering it.
            if (existing.TaskStatus == TaskStatuses.Requested) existing.ProviderOds = episode.ProviderOds;
            existing.RequesterPrisonCode = episode.PrisonCode;
            existing.Version++;
            existing.UpdatedAt = now;
            return (existing, ReferralOutcomes.Updated);
        }
        var referral = new Referral
        {
            Id = Guid.CreateVersion7(),
            EpisodeId = episode.Id,
            ProviderOds = episode.ProviderOds,
            RequesterPrisonCode = episode.PrisonCode,
            TaskStatus = TaskStatuses.Requested,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Referrals.Add(referral);
        return (referral, ReferralOutcomes.Created);
    }
}
