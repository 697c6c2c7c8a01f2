using ContinuityHub.Data;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>
/// Stands in for the Notify outbox (another branch builds it) with the property that matters here: each
/// enqueued email is written in the caller's own transaction, into a test table with no unique key, so a
/// duplicate effect shows up as a second row and a rolled-back run leaves none.
/// </summary>
public sealed class RecordingOutbox(HubDbContext db) : INotificationOutbox
{
    public const string CreateTable = """
        CREATE TABLE IF NOT EXISTS test_outbox (
            reference text NOT NULL, template_key text NOT NULL, recipient_role text NOT NULL,
            email_address text NULL, episode_id uuid NOT NULL, personalisation text NOT NULL)
        """;

    public void Enqueue(OutboundEmail email) =>
        db.Database.ExecuteSqlRaw(
            "INSERT INTO test_outbox (reference, template_key, recipient_role, email_address, episode_id, personalisation) VALUES ({0}, {1}, {2}, {3}, {4}, {5})",
            email.Reference, email.TemplateKey, email.RecipientRole, (object?)email.EmailAddress ?? DBNull.Value, email.EpisodeId,
            System.Text.Json.JsonSerializer.Serialize(email.Personalisation));

    public sealed record Row(string Reference, string TemplateKey, string RecipientRole, string? EmailAddress, Guid EpisodeId, string Personalisation);

    public static async Task<List<Row>> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT reference, template_key, recipient_role, email_address, episode_id, personalisation FROM test_outbox ORDER BY reference", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await reader.ReadAsync())
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetGuid(4), reader.GetString(5)));
        return rows;
    }

    public static void EnsureTable(string connectionString) => TestPostgres.Execute(connectionString, CreateTable);
}
