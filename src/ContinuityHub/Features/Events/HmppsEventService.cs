using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

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
        var found = message.NomsNumber is null ? null : await ledger.LockAndFindAsync(message.NomsNumber, cancellationToken, withReferrals: true);
        var (outcome, episode) = await ApplyAsync(message, stored, found, cancellationToken);
        stored.Outcome = outcome;
        stored.EpisodeId = episode?.Id;
        if (episode is not null) audit.Record($"hmpps-event.{outcome}", "Episode", episode.Id.ToString());
        try
        {
            // The outcome is written only while the event is still "received" (a concurrency token): no read of the
            // event under the lock, one round trip fewer for every event. The COMMIT goes with the write.
            await ledger.SaveAndCommitAsync(transaction, cancellationToken);
        }
        catch (DbUpdateConcurrencyException e) when (e.Entries.Any(entry => entry.Entity is HmppsEvent))
        {
            // Another delivery of the same event applied it (or parked it) while this one waited for the person's lock:
            // this one is a duplicate, and what it did is rolled back.
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            var settledEpisode = await db.HmppsEvents.AsNoTracking().Where(x => x.Id == stored.Id).Select(x => x.EpisodeId).SingleAsync(cancellationToken);
            return new EventReceipt(stored.Id, stored.EventType, EventOutcomes.Duplicate, settledEpisode);
        }
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

    /// <summary>
    /// Stores the raw event unless its deduplication key is already stored, and reads the stored one then — one round
    /// trip, committed on its own (the batch is one implicit transaction). The insert also says whether the envelope's
    /// MessageId was stored before with other content. An event delivered twice at the same moment: the second insert
    /// waits for the first to commit, does nothing, and the batch's second statement (a fresh snapshot) reads the first.
    /// </summary>
    private async Task<HmppsEvent> StoreAsync(HmppsEventMessage message, CancellationToken cancellationToken)
    {
        var candidate = new HmppsEvent
        {
            Id = Guid.CreateVersion7(),
            DeduplicationKey = message.DeduplicationKey,
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
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO hmpps_events (id, deduplication_key, message_id, content_hash, event_type, occurred_at, noms_number,
                                          payload, received_at, outcome, attempts)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0)
                ON CONFLICT (deduplication_key) DO NOTHING
                RETURNING $3 IS NOT NULL AND EXISTS (SELECT 1 FROM hmpps_events AS h WHERE h.message_id = $3 AND h.deduplication_key <> $2)
                """)
            {
                Parameters =
                {
                    new() { Value = candidate.Id },
                    new() { Value = candidate.DeduplicationKey },
                    new() { Value = (object?)candidate.MessageId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                    new() { Value = candidate.ContentHash },
                    new() { Value = candidate.EventType },
                    new() { Value = (object?)candidate.OccurredAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    new() { Value = (object?)candidate.NomsNumber ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                    new() { Value = candidate.Payload, NpgsqlDbType = NpgsqlDbType.Jsonb },
                    new() { Value = candidate.ReceivedAt },
                    new() { Value = candidate.Outcome },
                },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"SELECT {EntityRowReader<HmppsEvent>.Columns(db)} FROM hmpps_events WHERE deduplication_key = $1 AND id <> $2")
            {
                Parameters = { new() { Value = candidate.DeduplicationKey }, new() { Value = candidate.Id } },
            });
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            var inserted = await reader.ReadAsync(cancellationToken);
            if (inserted && reader.GetBoolean(0))
                logger.LogWarning("HMPPS event MessageId {MessageId} was reused with different content; applying it as a new event", message.MessageId);
            await reader.NextResultAsync(cancellationToken);
            var existing = await EntityRowReader<HmppsEvent>.ReadAllAsync(db, reader, cancellationToken);
            if (inserted) db.Entry(candidate).State = EntityState.Unchanged;
            return inserted ? candidate : existing.Single();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
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
