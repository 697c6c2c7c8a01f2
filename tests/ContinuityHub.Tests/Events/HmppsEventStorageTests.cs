using System.Net;
using System.Text.Json;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Events;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContinuityHub.Tests.Events;

/// <summary>
/// How an event is stored and applied once (contract §4.2) on the lean path (docs/performance.md, "HMPPS events path"):
/// stored in one round trip, its outcome written only while it is still "received", the MessageId look-up indexed.
/// </summary>
public sealed class HmppsEventStorageTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private HttpClient Feed() => hub.ClientFor(HubRoles.EventFeed);

    [Fact]
    public async Task An_event_stored_but_never_applied_is_applied_when_it_is_delivered_again()
    {
        var noms = Notifications.NewNomsNumber();
        var release = HmppsEvents.Release(noms, "2026-11-21T09:00:00Z");
        // A crash between storing and applying leaves the raw event stored as "received", nothing applied.
        using (var document = JsonDocument.Parse(release.ToJsonString()))
        {
            var message = HmppsEventMessage.Parse(document.RootElement).Message!;
            await using var db = hub.Db();
            db.HmppsEvents.Add(new Data.HmppsEvent
            {
                Id = Guid.CreateVersion7(), DeduplicationKey = message.DeduplicationKey, ContentHash = message.Content.Hash,
                EventType = message.EventType, OccurredAt = message.OccurredAt, NomsNumber = noms, Payload = message.Content.Text,
                ReceivedAt = DateTimeOffset.UtcNow, Outcome = EventOutcomes.Received,
            });
            await db.SaveChangesAsync();
        }

        var response = await HmppsEvents.PostAsync(Feed(), release);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(EventOutcomes.ReleaseConfirmed, (await HmppsEvents.BodyAsync(response)).GetProperty("outcome").GetString());
        await using var check = hub.Db();
        var stored = await check.HmppsEvents.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(EventOutcomes.ReleaseConfirmed, stored.Outcome);
        Assert.Equal((await check.Episodes.SingleAsync(e => e.NomsNumber == noms)).Id, stored.EpisodeId);
    }

    /// <summary>
    /// The event is not read again under the person's lock: a delivery that waited for the lock while another delivery
    /// of the same event settled it finds out when it writes the outcome, and rolls back what it did.
    /// </summary>
    [Fact]
    public async Task A_delivery_that_waited_for_the_lock_while_the_event_was_settled_is_a_duplicate_and_changes_nothing()
    {
        var noms = Notifications.NewNomsNumber();
        await using var holder = new NpgsqlConnection(hub.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1, hashtext($2))", holder, transaction)
                     { Parameters = { new() { Value = EpisodeLedger.PersonLockNamespace }, new() { Value = noms } } })
            await lockCommand.ExecuteNonQueryAsync();

        var posting = HmppsEvents.PostAsync(Feed(), HmppsEvents.Release(noms, "2026-11-21T09:00:00Z"));
        // Stored (committed on its own), then waiting for the lock: meanwhile "another delivery" settles it.
        for (var i = 0; i < 200 && !await StoredAsync(noms); i++) await Task.Delay(50);
        Assert.True(await StoredAsync(noms), "the event was not stored before its application waited for the lock");
        TestPostgres.Execute(hub.ConnectionString, $"UPDATE hmpps_events SET outcome = 'recorded-ignored' WHERE noms_number = '{noms}'");
        await transaction.CommitAsync();
        var response = await posting;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(EventOutcomes.Duplicate, (await HmppsEvents.BodyAsync(response)).GetProperty("outcome").GetString());
        await using var db = hub.Db();
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
        Assert.False(await db.People.AnyAsync(p => p.NomsNumber == noms));
        Assert.Equal("recorded-ignored", (await db.HmppsEvents.SingleAsync(e => e.NomsNumber == noms)).Outcome);
    }

    /// <summary>Every event with an envelope looks its MessageId up (a reuse is logged): by index, not by reading the table.</summary>
    [Fact]
    public async Task The_MessageId_look_up_is_served_by_an_index()
    {
        await using var connection = new NpgsqlConnection(hub.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SET enable_seqscan = off;
            EXPLAIN SELECT 1 FROM hmpps_events AS h WHERE h.message_id = 'm' AND h.deduplication_key <> 'k'
            """, connection);
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));

        Assert.Contains(plan, line => line.Contains("ix_hmpps_events_message_id", StringComparison.Ordinal));
    }

    private async Task<bool> StoredAsync(string noms)
    {
        await using var db = hub.Db();
        return await db.HmppsEvents.AnyAsync(e => e.NomsNumber == noms);
    }
}
