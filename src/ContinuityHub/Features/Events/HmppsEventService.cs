using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContinuityHub.Features.Events;

public sealed record EventReceipt(Guid EventId, string EventType, string Outcome, Guid? EpisodeId);

/// <summary>
/// Stores each raw HMPPS event (committed on its own, so it is kept even if applying it fails), then
/// applies it once under the person's lock. A redelivery finds the stored event and is not applied again;
/// an event stored but never applied (a crash in between) is applied when it is delivered again. An event
/// whose processing fails (not the database being unavailable) counts an attempt; after
/// <see cref="MaxAttempts"/> it is parked: kept with its error for ADMIN (<c>GET /api/v1/events/parked</c>)
/// and answered 202 "parked" on every later delivery, never tried again.
/// </summary>
public sealed class HmppsEventService(HubDbContext db, EpisodeLedger ledger, ReferenceData mappings, AuditTrail audit,
    IdentityConflictLog conflicts, TimeProvider clock, ILogger<HmppsEventService> logger)
{
    /// <summary>Failed attempts after which an event is parked.</summary>
    public const int MaxAttempts = 3;

    public async Task<EventReceipt> ReceiveAsync(HmppsEventMessage message, CancellationToken cancellationToken)
    {
        var stored = await StoreAsync(message, cancellationToken);
        if (stored.Outcome == EventOutcomes.Parked) return new EventReceipt(stored.Id, stored.EventType, EventOutcomes.Parked, null);
        if (stored.Outcome != EventOutcomes.Received)
            return new EventReceipt(stored.Id, stored.EventType, EventOutcomes.Duplicate, stored.EpisodeId);
        try
        {
            return await ApplyOnceAsync(stored, message, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && !DatabaseUnavailable.Is(e))
        {
            db.ChangeTracker.Clear();
            return await RecordFailureAsync(stored, e, cancellationToken);
        }
    }

    private async Task<EventReceipt> ApplyOnceAsync(HmppsEvent stored, HmppsEventMessage message, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The person's lock and records, found as the notification path finds them (one way for every intake path).
        var found = message.NomsNumber is null ? null : await ledger.LockAndFindAsync(message.NomsNumber, cancellationToken);
        await db.Entry(stored).ReloadAsync(cancellationToken);
        if (stored.Outcome != EventOutcomes.Received)
            return new EventReceipt(stored.Id, stored.EventType, EventOutcomes.Duplicate, stored.EpisodeId);

        var (outcome, episode) = await ApplyAsync(message, stored, found, cancellationToken);
        stored.Outcome = outcome;
        stored.EpisodeId = episode?.Id;
        if (episode is not null) audit.Record($"hmpps-event.{outcome}", "Episode", episode.Id.ToString());
        await ledger.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new EventReceipt(stored.Id, stored.EventType, outcome, episode?.Id);
    }

    /// <summary>Counts the failed attempt (its transaction was rolled back) and parks the event at the last one.</summary>
    private async Task<EventReceipt> RecordFailureAsync(HmppsEvent stored, Exception exception, CancellationToken cancellationToken)
    {
        var detail = Describe(exception);
        var now = clock.GetUtcNow();
        var outcome = await db.Database.SqlQuery<string>($"""
            UPDATE hmpps_events
               SET attempts = attempts + 1, outcome_detail = {detail},
                   outcome = CASE WHEN attempts + 1 >= {MaxAttempts} THEN {EventOutcomes.Parked} ELSE outcome END,
                   parked_at = CASE WHEN attempts + 1 >= {MaxAttempts} THEN {now} ELSE parked_at END
             WHERE id = {stored.Id} AND outcome = {EventOutcomes.Received}
            RETURNING outcome AS "Value"
            """).ToListAsync(cancellationToken);
        // No row: another delivery settled the event meanwhile; this one is a duplicate of it.
        var settled = outcome.Count == 0 ? EventOutcomes.Duplicate : outcome[0] == EventOutcomes.Parked ? EventOutcomes.Parked : EventOutcomes.Failed;
        logger.LogError("HMPPS event {EventId} of type {EventType} failed to process ({Failure}); {Settled}",
            stored.Id, stored.EventType, detail, settled);
        return new EventReceipt(stored.Id, stored.EventType, settled, null);
    }

    /// <summary>The exception types down the chain, with PostgreSQL's SQLSTATE and constraint: enough to find the bug, no data.</summary>
    private static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
            parts.Add(current is PostgresException postgres
                ? $"{current.GetType().Name} (SQLSTATE {postgres.SqlState}{(postgres.ConstraintName is { } c ? $", constraint {c}" : "")})"
                : current.GetType().Name);
        var text = string.Join(" ← ", parts);
        return text.Length <= TextLimits.ErrorDetail ? text : text[..TextLimits.ErrorDetail];
    }

    private async Task<HmppsEvent> StoreAsync(HmppsEventMessage message, CancellationToken cancellationToken)
    {
        var key = message.DeduplicationKey;
        var existing = await db.HmppsEvents.SingleOrDefaultAsync(e => e.DeduplicationKey == key, cancellationToken);
        if (existing is not null) return existing;

        if (message.MessageId is not null && await db.HmppsEvents.AnyAsync(e => e.MessageId == message.MessageId, cancellationToken))
            logger.LogWarning("HMPPS event MessageId {MessageId} was reused with different content; applying it as a new event", message.MessageId);

        var stored = new HmppsEvent
        {
            Id = Guid.CreateVersion7(),
            DeduplicationKey = key,
            MessageId = message.MessageId,
            ContentHash = message.Content.Hash,
            EventType = message.EventType,
            // timestamptz takes UTC only (Npgsql refuses other offsets); the London release date is taken from the original value.
            OccurredAt = message.OccurredAt?.ToUniversalTime(),
            NomsNumber = message.NomsNumber,
            Payload = message.Content.Text,
            ReceivedAt = clock.GetUtcNow(),
            Outcome = EventOutcomes.Received,
        };
        db.HmppsEvents.Add(stored);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return stored;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The same event arrived on another connection at the same moment.
            db.ChangeTracker.Clear();
            return await db.HmppsEvents.SingleAsync(x => x.DeduplicationKey == key, cancellationToken);
        }
    }

    /// <summary>Applies a known event type; each of them carries a NOMS number (validated), so <paramref name="found"/> is set for them.</summary>
    private Task<(string, Episode?)> ApplyAsync(HmppsEventMessage message, HmppsEvent stored, LockedPerson? found, CancellationToken cancellationToken) => message.EventType switch
    {
        _ when HmppsEventTypes.IsRelease(message.EventType) => ApplyReleaseAsync(message, found!, cancellationToken),
        HmppsEventTypes.PrisonerReceived => ApplyReceivedAsync(message, found!, cancellationToken),
        _ when HmppsEventTypes.IsIdentifierLink(message.EventType) => ApplyIdentifierLinkAsync(message, stored, found!, cancellationToken),
        _ => Task.FromResult<(string, Episode?)>((EventOutcomes.Ignored, null)),
    };

    private async Task<(string, Episode?)> ApplyReleaseAsync(HmppsEventMessage message, LockedPerson found, CancellationToken cancellationToken)
    {
        // TRANSFERRED, SENT_TO_COURT, TEMPORARY_ABSENCE_RELEASE, RELEASED_TO_HOSPITAL…: not a release to the community.
        if (message.Reason != "RELEASED") return (EventOutcomes.NoCommunityRelease, null);
        var (classification, unknownCode) = mappings.ClassifyMovement(message.MovementReasonCode);
        if (classification == ReleaseClassification.NotARelease) return (EventOutcomes.NoCommunityRelease, null);
        if (unknownCode)
            logger.LogWarning("Movement reason code {MovementReasonCode} is not in the mappings; treated as a community release and flagged",
                message.MovementReasonCode ?? "(none)");

        var releaseDate = CareWindow.DayOf(message.OccurredAt!.Value);
        var episode = Episode.Mergeable(found.Episodes, releaseDate)
                      ?? ledger.OpenEpisode(ledger.PersonOf(found), releaseDate, ReleaseDateSources.HmppsEvent);
        episode.ConfirmRelease(releaseDate, classification, message.MovementReasonCode, unknownCode, message.PrisonId,
            await ledger.ReferralOfAsync(episode, cancellationToken), clock.GetUtcNow());
        return (classification == ReleaseClassification.CommunityRelease ? EventOutcomes.ReleaseConfirmed : EventOutcomes.ReleaseNotToCommunity, episode);
    }

    private async Task<(string, Episode?)> ApplyReceivedAsync(HmppsEventMessage message, LockedPerson found, CancellationToken cancellationToken)
    {
        if (message.Reason != "ADMISSION") return (EventOutcomes.ReceivedNotAdmission, null);
        var date = CareWindow.DayOf(message.OccurredAt!.Value);
        // The latest release whose 21-day window holds the admission date (a late event still counts, contract §7).
        var episode = Episode.WindowHolding(found.Episodes, date);
        if (episode is null || episode.Exclude(ExclusionReasons.ReturnedToCustody, date, await ledger.ReferralOfAsync(episode, cancellationToken),
                clock.GetUtcNow()) != ExclusionResult.Excluded)
            return (EventOutcomes.ReceivedNoOpenEpisode, episode);
        return (EventOutcomes.ReturnedToCustody, episode);
    }

    /// <summary>
    /// Links a CRN to a NOMS number the hub holds without one. An event carries no name, date of birth or NHS
    /// number, so it can never show an agreeing identity (docs/decisions.md, "Writes across scopes"): relinking a
    /// NOMS number to a different CRN, or a CRN held by another person, is recorded as an identity conflict for
    /// ADMIN and not applied.
    /// </summary>
    private async Task<(string, Episode?)> ApplyIdentifierLinkAsync(HmppsEventMessage message, HmppsEvent stored, LockedPerson found,
        CancellationToken cancellationToken)
    {
        var person = ledger.PersonOf(found);
        if (person.Crn == message.Crn) return (EventOutcomes.IdentifiersLinked, null);
        var heldByAnother = message.Crn is not null
                            && await db.People.AnyAsync(p => p.Crn == message.Crn && p.NomsNumber != person.NomsNumber, cancellationToken);
        if (person.Crn is not null || heldByAnother)
        {
            var personId = db.Entry(person).State == EntityState.Added ? (Guid?)null : person.Id;
            if (personId is null) db.Entry(person).State = EntityState.Detached;
            conflicts.Add(ConflictChannels.HmppsEvent, ConflictReasons.CrnRelink, ["crn"], personId, null, eventId: stored.Id);
            return (EventOutcomes.IdentityConflict, null);
        }
        person.LinkCrn(message.Crn, clock.GetUtcNow());
        return (EventOutcomes.IdentifiersLinked, null);
    }
}
