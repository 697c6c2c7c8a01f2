using Npgsql;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>The emails queued in the real notification outbox (notification_outbox), as the follow-up tests check them.</summary>
public static class OutboxRows
{
    public sealed record Row(string Reference, string TemplateKey, string RecipientRole, string? EmailAddress, Guid EpisodeId, string Personalisation);

    public static async Task<List<Row>> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT reference, template_key, recipient_role, email_address, episode_id, personalisation::text FROM notification_outbox ORDER BY reference",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await reader.ReadAsync())
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetGuid(4), reader.GetString(5)));
        return rows;
    }
}
