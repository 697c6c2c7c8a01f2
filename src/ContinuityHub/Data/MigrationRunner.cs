using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace ContinuityHub.Data;

/// <summary>
/// Applies the versioned SQL scripts embedded from Data/Migrations, in order, each in its own transaction.
/// A session-level advisory lock serialises nodes that start together: the second waits, then finds
/// nothing left to do. A script that changed after it was applied stops the start-up (checksum).
/// </summary>
public sealed class MigrationRunner(ILogger<MigrationRunner> logger)
{
    // Arbitrary but fixed: the key every hub node locks on while migrating.
    private const long MigrationLockKey = 0x436F6E74_48756221;

    public static IReadOnlyList<(string Version, string Name, string Sql)> Scripts { get; } = LoadScripts();

    public async Task ApplyAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                    applied_at timestamp with time zone NOT NULL DEFAULT now())
                """, cancellationToken);
            var applied = new Dictionary<string, string>();
            await using (var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) applied[reader.GetString(0)] = reader.GetString(1);
            }

            foreach (var (version, name, sql) in Scripts)
            {
                var checksum = Checksum(sql);
                if (applied.TryGetValue(version, out var appliedChecksum))
                {
                    if (appliedChecksum != checksum)
                        throw new InvalidOperationException($"Migration {version} ({name}) was changed after it was applied; add a new migration instead.");
                    continue;
                }
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var command = new NpgsqlCommand(sql, connection, transaction))
                    await command.ExecuteNonQueryAsync(cancellationToken);
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (@v, @n, @c)", connection, transaction))
                {
                    record.Parameters.AddWithValue("v", version);
                    record.Parameters.AddWithValue("n", name);
                    record.Parameters.AddWithValue("c", checksum);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {MigrationVersion} {MigrationName}", version, name);
            }
        }
        finally
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Checksum(string sql) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));

    private static IReadOnlyList<(string, string, string)> LoadScripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var fileName = n["Migrations.".Length..^".sql".Length];
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                var separator = fileName.IndexOf('_');
                return (fileName[..separator], fileName[(separator + 1)..], reader.ReadToEnd());
            })
            .OrderBy(s => s.Item1, StringComparer.Ordinal)
            .ToList();
    }
}
