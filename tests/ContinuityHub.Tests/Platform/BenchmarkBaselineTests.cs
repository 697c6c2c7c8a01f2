using System.Diagnostics;
using ContinuityHub.Infrastructure.Postgres;
using ContinuityHub.Tests.Infrastructure;
using Npgsql;

namespace ContinuityHub.Tests.Platform;

/// <summary>
/// The intake benchmarks (ops/bench/, issue #13) are run by hand and print their figures; their speed is never a test.
/// What a test can hold is that they still run against the current schema: the scripts parse, and the pgbench baselines
/// and the data loader write the rows they say they write. A migration that renames a column then fails here, not
/// in the middle of somebody's benchmark.
/// </summary>
public sealed class BenchmarkBaselineTests
{
    private static readonly string Bench = Path.Combine(RepositoryPaths.Root, "ops", "bench");
    private readonly string connectionString = TestPostgres.CreateDatabase("bench");

    [Fact]
    public async Task Every_benchmark_script_parses()
    {
        var scripts = Directory.GetFiles(Bench, "*.sh", SearchOption.AllDirectories);
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var (exitCode, output) = await RunAsync("bash", ["-n", script]);
            Assert.True(exitCode == 0, $"{script}: {output}");
        }
    }

    [Fact]
    public async Task The_ingest_baseline_writes_each_notifications_rows()
    {
        await PgbenchAsync(Path.Combine(Bench, "ingest", "intake.pgbench.sql"), transactions: 2, "seq=0", "run=1");

        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM release_notifications"));
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM referrals"));
        Assert.Equal(10L, await CountAsync("SELECT count(*) FROM follow_ups"));
    }

    [Fact]
    public async Task The_events_loader_and_baseline_apply_both_kinds_of_event()
    {
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/London")).ToString("yyyy-MM-dd");
        var (exitCode, output) = await RunAsync(Tool("psql"), ["-X", "-q", "-v", "people=4", "-v", "first_letter=80", "-v", "set=pgb", "-v", $"today={today}",
            "-f", Path.Combine(Bench, "events", "load.sql"), .. Connection()]);
        Assert.True(exitCode == 0, output);

        await PgbenchAsync(Path.Combine(Bench, "events", "events.pgbench.sql"), transactions: 4, "seq=-1", "block=4", "run=1");

        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM hmpps_events WHERE outcome = 'release-confirmed'"));
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM hmpps_events WHERE outcome = 'excluded-returned-to-custody'"));
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM episodes WHERE status = 'excluded'"));
    }

    private async Task PgbenchAsync(string script, int transactions, params string[] variables)
    {
        var arguments = new List<string> { "-n", "-c", "1", "-t", transactions.ToString(), "-f", script };
        foreach (var variable in variables) arguments.AddRange(["-D", variable]);
        var (exitCode, output) = await RunAsync(Tool("pgbench"), [.. arguments, .. Connection()]);
        Assert.True(exitCode == 0, output);
        Assert.Contains("number of failed transactions: 0", output);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>-h, -p, -U and the database of this test's database (the password goes in the environment).</summary>
    private string[] Connection()
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return ["-h", builder.Host!, "-p", builder.Port.ToString(), "-U", builder.Username!, builder.Database!];
    }

    /// <summary>psql or pgbench from the PostgreSQL installation the tests' server runs from (PATH may hold links to initdb alone).</summary>
    private static string Tool(string name)
    {
        var initdb = new FileInfo(Path.Combine(EmbeddedPostgresCluster.FindServerBinaries()!, "initdb"));
        return Path.Combine(Path.GetDirectoryName((initdb.ResolveLinkTarget(returnFinalTarget: true) ?? initdb).FullName)!, name);
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PGPASSWORD"] = new NpgsqlConnectionStringBuilder(connectionString).Password;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
