using ContinuityHub.Data;
using ContinuityHub.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContinuityHub.Infrastructure.Postgres;

/// <summary>
/// The hub's database: the configured server (ConnectionStrings:Hub) or, when none is configured, the
/// embedded cluster in the data folder, started on first use and stopped when the hub shuts down.
/// </summary>
public sealed class HubDatabase(IConfiguration configuration, IOptions<HubOptions> options, ILogger<HubDatabase> logger) : IDisposable
{
    public const string EmbeddedDatabaseName = "continuityhub";
    private readonly Lock _gate = new();
    private EmbeddedPostgresCluster? _cluster;
    private string? _connectionString;
    private string? _migrationConnectionString;

    public bool IsEmbedded => _cluster is not null;

    /// <summary>
    /// The schema owner's connection, for migrations only: <c>ConnectionStrings:HubMigrations</c> if set, else the
    /// hub's own; on the embedded cluster its superuser (the hub itself then works as <see cref="RuntimeRole.EmbeddedName"/>).
    /// </summary>
    public string MigrationConnectionString
    {
        get
        {
            _ = ConnectionString;
            return _migrationConnectionString!;
        }
    }

    public string ConnectionString
    {
        get
        {
            if (_connectionString is not null) return _connectionString;
            lock (_gate)
            {
                return _connectionString ??= Resolve();
            }
        }
    }

    /// <summary>
    /// The connection string of the hub's <c>DbContext</c> pool: <see cref="ConnectionString"/> without Npgsql's session
    /// reset each time a connection goes back to the pool. That reset is seven statements (SET SESSION AUTHORIZATION
    /// DEFAULT; RESET ALL; CLOSE ALL; UNLISTEN *; pg_advisory_unlock_all(); DISCARD SEQUENCES; DISCARD TEMP) that the
    /// server runs ahead of every request's first command. The hub's EF work leaves no session state to reset: it sets
    /// nothing beyond SET LOCAL, takes only transaction-scoped advisory locks, opens no cursors or temporary tables,
    /// and Npgsql still rolls back a transaction left open when a connection goes back. Raw connections
    /// (<see cref="ConnectionString"/>: Hangfire's schema installer sets its search path) are another pool and keep the reset.
    /// </summary>
    public string EntityConnectionString =>
        _entityConnectionString ??= new NpgsqlConnectionStringBuilder(ConnectionString) { NoResetOnClose = true }.ConnectionString;

    private string? _entityConnectionString;

    private string Resolve()
    {
        var configured = configuration.GetConnectionString("Hub");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var owner = configuration.GetConnectionString("HubMigrations");
            _migrationConnectionString = string.IsNullOrWhiteSpace(owner) ? configured : owner;
            return WithHubDefaults(configured);
        }

        var folder = options.Value.ResolvedDataDirectory;
        logger.LogInformation("No ConnectionStrings:Hub configured: starting the embedded PostgreSQL in the data folder");
        _cluster = EmbeddedPostgresCluster.Start(folder, options.Value.PostgresInstallRoot);
        CreateDatabaseIfMissing(_cluster.ConnectionString("postgres"), EmbeddedDatabaseName);
        logger.LogInformation("Embedded PostgreSQL listening on 127.0.0.1:{Port}, its files in {ClusterDirectory}", _cluster.Port, _cluster.ClusterDirectory);
        // The superuser migrates; the hub works as a role that owns none of the migrated tables (RuntimeRole).
        _migrationConnectionString = _cluster.ConnectionString(EmbeddedDatabaseName);
        RuntimeRole.EnsureExists(_migrationConnectionString, EmbeddedDatabaseName, _cluster.Password);
        return WithHubDefaults(new NpgsqlConnectionStringBuilder(_migrationConnectionString) { Username = RuntimeRole.EmbeddedName }.ConnectionString);
    }

    /// <summary>
    /// Prepared statements unless the operator chose otherwise: the intake runs the same few statements for
    /// every notification, and preparing them saves the server parsing and planning each time.
    /// </summary>
    private static string WithHubDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    /// <summary>Applies the migrations as the schema owner, then grants the hub's runtime role its privileges (<see cref="RuntimeRole"/>).</summary>
    public async Task PrepareSchemaAsync(MigrationRunner migrations, CancellationToken cancellationToken)
    {
        await migrations.ApplyAsync(MigrationConnectionString, cancellationToken);
        if (!await RuntimeRole.GrantAsync(MigrationConnectionString, ConnectionString, cancellationToken))
            logger.LogWarning("The hub connects as the owner of its tables: the audit trail is append-only by its trigger alone. " +
                              "Give the hub a role of its own (ConnectionStrings:Hub) and the owner's to ConnectionStrings:HubMigrations (docs/decisions.md, \"The audit trail's privileges\")");
    }

    public static void CreateDatabaseIfMissing(string maintenanceConnectionString, string database)
    {
        using var connection = new NpgsqlConnection(maintenanceConnectionString);
        connection.Open();
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (exists.ExecuteScalar() is not null) return;
        try
        {
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            create.ExecuteNonQuery();
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another node created it at the same moment.
        }
    }

    public void Dispose()
    {
        if (_cluster is null) return;
        logger.LogInformation("Stopping the embedded PostgreSQL");
        NpgsqlConnection.ClearAllPools();
        _cluster.Dispose();
    }
}
