using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// Hangfire's storage: the hub's own PostgreSQL database, its own schema <c>hangfire</c>. Hangfire.PostgreSql can
/// create its tables itself (PrepareSchemaIfNecessary), but it does so without any lock — each version's script
/// runs in a serializable transaction after an unlocked "already applied?" check, and its first script creates
/// the schema after an unlocked "exists?" check — so two nodes starting at once on an empty database can both
/// try. The hub therefore turns that off and installs the schema itself, with Hangfire's own installer, under
/// a PostgreSQL advisory lock (<see cref="InstallSchemaAsync"/>): the second node waits, then finds every
/// version applied.
/// </summary>
public static class FollowUpJobStorage
{
    public const string Schema = "hangfire";

    // Arbitrary but fixed: the key every hub node locks on while installing Hangfire's schema.
    private const long SchemaLockKey = 0x436F6E74_48476631;

    public static PostgreSqlStorage Create(string connectionString, FollowUpOptions settings)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            PrepareSchemaIfNecessary = false,
            QueuePollInterval = settings.PollInterval,
            // A sweep fetched by a node that then died is handed to another after this; the sweep's own work is
            // safe either way (its transaction rolled back; the next sweep takes the rows).
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
            // A distributed lock left by a node killed while holding it (the recurring scheduler takes one every
            // poll) is taken over after this, not after the default 10 minutes. Hangfire holds its locks for
            // moments only here (no DisableConcurrentExecution).
            DistributedLockTimeout = TimeSpan.FromMinutes(1),
        };
        var connection = new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = "continuityhub-hangfire",
            // Hangfire's own pool (workers, schedulers, heartbeat, dashboard); the sweep's batches use the hub's.
            MaxPoolSize = settings.Workers + 8,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connection.ConnectionString, options), options);
    }

    /// <summary>Installs or upgrades Hangfire's tables, one node at a time.</summary>
    public static async Task InstallSchemaAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({SchemaLockKey})", connection))
            await take.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            PostgreSqlObjectsInstaller.Install(connection, Schema);
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({SchemaLockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
