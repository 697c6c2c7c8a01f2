using ContinuityHub.Data;
using ContinuityHub.Infrastructure.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ContinuityHub.Features.FollowUps;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL cluster for the whole test run, started with the same helper the hub uses for its
/// embedded default. A template database is migrated once; each test class gets a copy of it.
/// </summary>
public static class TestPostgres
{
    private const string TemplateDatabase = "hub_template";
    private static readonly Lazy<EmbeddedPostgresCluster> Cluster = new(StartCluster, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lock CreateGate = new();

    public static EmbeddedPostgresCluster Server => Cluster.Value;

    /// <summary>
    /// Dozens of hubs share the one test cluster (each with its EF pool, Hangfire's pool and dispatchers): small
    /// pools that drop idle connections within seconds keep them all under the server's max_connections.
    /// </summary>
    private const string HubPoolLimits = ";Maximum Pool Size=20;Connection Idle Lifetime=5;Connection Pruning Interval=1";

    /// <summary>A new database migrated to the current schema (a copy of the template).</summary>
    public static string CreateDatabase(string prefix = "test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
        // CREATE DATABASE … TEMPLATE needs the template unused; serialise the copies.
        lock (CreateGate)
        {
            Execute(Server.ConnectionString("postgres"), $"CREATE DATABASE \"{name}\" TEMPLATE {TemplateDatabase}");
        }
        return Server.ConnectionString(name) + HubPoolLimits;
    }

    /// <summary>A new, empty database (no migrations applied).</summary>
    public static string CreateEmptyDatabase(string prefix = "empty")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        Execute(Server.ConnectionString("postgres"), $"CREATE DATABASE \"{name}\"");
        return Server.ConnectionString(name);
    }

    public static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// The test runner kills its test host soon after the last test, often before exit handlers finish, so
    /// a detached watchdog (re-parented to init, outside the killed process tree) stops the cluster and
    /// removes its folder once this process is gone.
    /// </summary>
    private static void StopWhenThisProcessEnds(EmbeddedPostgresCluster cluster, string root)
    {
        var pgCtl = Path.Combine(EmbeddedPostgresCluster.FindServerBinaries()!, "pg_ctl");
        var asPostgres = Environment.IsPrivilegedProcess ? "runuser -u postgres -- " : "";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; " +
                     $"{asPostgres}{pgCtl} -D '{cluster.ClusterDirectory}' -m immediate stop; rm -rf '{root}'";
        var launcher = new System.Diagnostics.ProcessStartInfo("sh") { UseShellExecute = false, WorkingDirectory = "/" };
        launcher.ArgumentList.Add("-c");
        launcher.ArgumentList.Add($"setsid sh -c \"{script}\" >/dev/null 2>&1 < /dev/null &");
        System.Diagnostics.Process.Start(launcher)!.WaitForExit();
    }

    private static EmbeddedPostgresCluster StartCluster()
    {
        var root = Path.Combine(Path.GetTempPath(), $"continuityhub-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);
        var cluster = EmbeddedPostgresCluster.Start(root);
        StopWhenThisProcessEnds(cluster, root);
        Execute(cluster.ConnectionString("postgres"), $"CREATE DATABASE {TemplateDatabase}");
        new MigrationRunner(NullLogger<MigrationRunner>.Instance)
            .ApplyAsync(cluster.ConnectionString(TemplateDatabase), CancellationToken.None).GetAwaiter().GetResult();
        // Hangfire's tables in the template too, installed as the hub installs them, so that each test database
        // does not spend a second or two creating them when its hub starts (it then finds every version applied).
        FollowUpJobStorage.InstallSchemaAsync(cluster.ConnectionString(TemplateDatabase), CancellationToken.None).GetAwaiter().GetResult();
        NpgsqlConnection.ClearAllPools();
        return cluster;
    }
}
