using Npgsql;

namespace ContinuityHub.Tests.Hardening.Fuzz;

/// <summary>
/// A cheap fingerprint of everything a request could write: for each table, its row count and the newest row
/// version (the largest <c>xmin</c>, the transaction that last inserted or updated a row). Any insert, update or
/// delete changes it. Left out: the audit trail (reads and refused reads are audited by design), the key ring,
/// Quartz's and the migrations' tables; the outboxes and follow-ups count rows only, because their dispatchers
/// update rows in the background.
/// </summary>
public sealed class DatabaseFingerprint : IAsyncDisposable
{
    private static readonly HashSet<string> Ignored = ["audit_log", "data_protection_keys", "schema_migrations"];
    private static readonly HashSet<string> BackgroundUpdated = ["provider_pushes", "notification_outbox", "follow_ups"];

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlCommand _command;

    public IReadOnlyList<string> Tables { get; }

    private DatabaseFingerprint(NpgsqlConnection connection, IReadOnlyList<string> tables)
    {
        _connection = connection;
        Tables = tables;
        var parts = tables.Select(t => BackgroundUpdated.Contains(t)
            ? $"SELECT '{t}' || ':' || count(*) FROM {t}"
            : $"SELECT '{t}' || ':' || count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM {t}");
        _command = new NpgsqlCommand($"SELECT string_agg(part, ' ') FROM ({string.Join(" UNION ALL ", parts)}) AS p(part)", connection);
    }

    public static async Task<DatabaseFingerprint> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var name = reader.GetString(0);
                if (!Ignored.Contains(name)) tables.Add(name);
            }
        }
        return new DatabaseFingerprint(connection, tables);
    }

    public async Task<string> TakeAsync() => (string)(await _command.ExecuteScalarAsync())!;

    public async ValueTask DisposeAsync()
    {
        await _command.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
