using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ContinuityHub.Data;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Infrastructure;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.ProviderPush;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>
/// Exactly once in effect with real Hangfire servers on Hangfire.PostgreSql (issues #4 items 1 and 5, #14): missed
/// follow-ups run once when the hub starts again, two nodes on one database run each once, a node killed
/// (SIGKILL) in the middle of a batch leaves its follow-ups to another node, which runs each once, and two nodes
/// starting at once on an empty database install Hangfire's schema once. Hangfire runs the sweep by the real
/// clock, so these hubs' clocks are the real now and the follow-ups are planned (by a node that does not run
/// them) at a clock set back in time, so that they are all due by now.
/// </summary>
public sealed class FollowUpClusterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);


    private static HubDbContext Db(string connectionString) => new(new DbContextOptionsBuilder<HubDbContext>().UseNpgsql(connectionString).Options);

    /// <summary>Plans <paramref name="count"/> releases on a node that does not fire, with its clock at <paramref name="planningClock"/>.</summary>
    private static async Task<(string ConnectionString, List<(Guid ReferralId, Guid EpisodeId, string Noms)> Releases)> PlanAsync(
        int count, DateOnly releaseDate, DateTimeOffset planningClock)
    {
        await using var planner = FollowUpHub.Node(fire: false);
        planner.Clock.Set(planningClock);
        var releases = new List<(Guid, Guid, string)>();
        for (var i = 0; i < count; i++)
        {
            var noms = Notifications.NewNomsNumber();
            var (referralId, episodeId) = await planner.SubmitReleaseAsync(
                Notifications.Example(nomsNumber: noms, releaseDate: releaseDate.ToString("yyyy-MM-dd"), status: "planned"));
            releases.Add((referralId, episodeId, noms));
        }
        return (planner.ConnectionString, releases);
    }

    private static async Task<List<FollowUp>> AllFollowUpsAsync(string connectionString)
    {
        await using var db = Db(connectionString);
        return await db.Set<FollowUp>().AsNoTracking().ToListAsync();
    }

    private static Task<List<FollowUp>> AllRunAsync(string connectionString) => Eventually.WaitForAsync(
        () => AllFollowUpsAsync(connectionString), rows => rows.All(f => f.State != FollowUpStates.Scheduled),
        "every follow-up to run", Patience);

    /// <summary>Each effect once: every outbox reference once, one email per recipient of every follow-up that ran, one audit entry each.</summary>
    private static async Task AssertEachEffectOnceAsync(string connectionString, List<FollowUp> rows)
    {
        var outbox = await OutboxRows.ReadAsync(connectionString);
        Assert.Equal(outbox.Count, outbox.Select(r => r.Reference).Distinct().Count());
        var expected = rows.Where(f => f.State == FollowUpStates.Done)
            .SelectMany(f => FollowUpMessages.RecipientsOf(FollowUpCheckpoints.Parse(f.Checkpoint))
                .Select(role => FollowUpMessages.Reference(f.EpisodeId, f.Checkpoint, role)))
            .Order().ToList();
        Assert.Equal(expected, outbox.Select(r => r.Reference).Order().ToList());
        Assert.All(rows.Where(f => f.State == FollowUpStates.Done), f => Assert.Equal(1, f.Attempts));
        await using var db = Db(connectionString);
        var audited = await db.AuditLog.Where(a => a.Action.StartsWith("follow-up.")).Select(a => a.Action + "/" + a.ResourceId).ToListAsync();
        Assert.Equal(audited.Count, audited.Distinct().Count());
        Assert.Equal(rows.Count(f => f.State == FollowUpStates.Done), audited.Count);
    }

    [Fact]
    public async Task Follow_ups_missed_while_the_hub_was_down_run_once_when_it_starts_again()
    {
        // Planned ten days ago for a release eight days ago; the hub was then down until now.
        var now = DateTimeOffset.UtcNow;
        var releaseDate = LondonTime.DateOf(now).AddDays(-8);
        var (connectionString, releases) = await PlanAsync(3, releaseDate, now.AddDays(-10));
        var planned = await AllFollowUpsAsync(connectionString);
        Assert.All(planned, f => Assert.Equal(FollowUpStates.Scheduled, f.State));

        await using (var node = FollowUpHub.Node(fire: true, connectionString))
        {
            _ = node.Server;
            // Day −1, day 2 and day 7 fell due during the outage: the sweep the node starts as it starts runs them.
            await Eventually.WaitForAsync(() => AllFollowUpsAsync(connectionString),
                rows => rows.Count(f => f.State == FollowUpStates.Done) == 3 * releases.Count, "the missed follow-ups to run", Patience);
        }
        var afterFirstStart = await AllFollowUpsAsync(connectionString);
        Assert.Equal(["day-14-alert", "window-close"],
            afterFirstStart.Where(f => f.State == FollowUpStates.Scheduled).Select(f => f.Checkpoint).Distinct().Order());
        await AssertEachEffectOnceAsync(connectionString, afterFirstStart);
        Assert.Equal(releases.Count * (2 + 3 + 2), (await OutboxRows.ReadAsync(connectionString)).Count);

        // Started once more: nothing that ran runs again.
        await using (var again = FollowUpHub.Node(fire: true, connectionString))
        {
            _ = again.Server;
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        Assert.Equal(releases.Count * 7, (await OutboxRows.ReadAsync(connectionString)).Count);
    }

    [Theory]
    [InlineData(1000)] // the default batch: the nodes' sweeps take what the other has not locked
    [InlineData(1)]    // one follow-up per transaction: the nodes' batches interleave as much as they can
    public async Task Two_nodes_on_one_database_run_each_follow_up_once(int batchSize)
    {
        var settings = new Dictionary<string, string> { ["Hub:FollowUps:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        // Released 22 days ago, planned before release: every checkpoint, the window close included, is due now.
        var now = DateTimeOffset.UtcNow;
        var releaseDate = LondonTime.DateOf(now).AddDays(-22);
        var (connectionString, releases) = await PlanAsync(12, releaseDate, now.AddDays(-30));
        Dictionary<Guid, int> versionsBefore;
        await using (var db = Db(connectionString))
            versionsBefore = await db.Referrals.ToDictionaryAsync(r => r.Id, r => r.Version);

        await using var nodeA = FollowUpHub.Node(fire: true, connectionString, settings);
        await using var nodeB = FollowUpHub.Node(fire: true, connectionString, settings);
        await Task.WhenAll(Task.Run(() => nodeA.Server), Task.Run(() => nodeB.Server));
        var rows = await AllRunAsync(connectionString);

        Assert.Equal(releases.Count * 5, rows.Count);
        Assert.All(rows.Where(f => f.Checkpoint == "window-close"), f => Assert.Equal(FollowUpStates.Done, f.State));
        await AssertEachEffectOnceAsync(connectionString, rows);
        await using var check = Db(connectionString);
        var referrals = await check.Referrals.Include(r => r.Episode).ToListAsync();
        Assert.All(referrals, r => Assert.Equal(("failed", versionsBefore[r.Id] + 1, "not-engaged"), (r.TaskStatus, r.Version, r.Episode!.Status)));
    }

    [Fact]
    public async Task Follow_ups_running_on_a_node_that_is_killed_complete_once_on_another_node()
    {
        var now = DateTimeOffset.UtcNow;
        var releaseDate = LondonTime.DateOf(now).AddDays(-22);
        var (connectionString, releases) = await PlanAsync(3, releaseDate, now.AddDays(-30));
        Dictionary<Guid, int> versionsBefore;
        await using (var db = Db(connectionString)) versionsBefore = await db.Referrals.ToDictionaryAsync(r => r.Id, r => r.Version);

        // Block writes to the outbox, so that node A's batch stops inside its transaction after its claims, while
        // queueing the emails: killed there, it has claimed (uncommitted) and done part of the effects.
        await using var holder = new NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await using (var begin = new NpgsqlCommand("BEGIN; LOCK TABLE notification_outbox IN SHARE MODE", holder)) await begin.ExecuteNonQueryAsync();

        var dataDirectory = Directory.CreateTempSubdirectory("followups-node-a-").FullName;
        using var nodeA = StartHubProcess(connectionString, dataDirectory);
        try
        {
            await Eventually.WaitForAsync(() => WaitingForTheOutboxAsync(connectionString), waiting => waiting >= 1,
                "node A's batch to wait for the outbox", Patience);
            Assert.True(await ProcessingSweepsAsync(connectionString) >= 1, "Hangfire records node A's sweep as processing");
            nodeA.Kill(); // SIGKILL: no shutdown, its connections dropped, its transactions rolled back
            await nodeA.WaitForExitAsync();
        }
        finally
        {
            if (!nodeA.HasExited) nodeA.Kill();
            await using (var release = new NpgsqlCommand("ROLLBACK", holder)) await release.ExecuteNonQueryAsync();
        }
        await Eventually.WaitForAsync(() => WaitingForTheOutboxAsync(connectionString), waiting => waiting == 0,
            "node A's connections to be gone", Patience);
        Assert.All(await AllFollowUpsAsync(connectionString), f => Assert.Equal((FollowUpStates.Scheduled, 0), (f.State, f.Attempts)));
        Assert.Empty(await OutboxRows.ReadAsync(connectionString));

        // Node B starts a sweep as it starts and runs them, each once.
        await using var nodeB = FollowUpHub.Node(fire: true, connectionString);
        _ = nodeB.Server;
        var rows = await AllRunAsync(connectionString);

        await AssertEachEffectOnceAsync(connectionString, rows);
        await using var check = Db(connectionString);
        var referrals = await check.Referrals.ToListAsync();
        Assert.All(referrals, r => Assert.Equal(("failed", versionsBefore[r.Id] + 1), (r.TaskStatus, r.Version)));
        Assert.Equal(releases.Count, referrals.Count);
        try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_Hangfire_lock_left_by_a_killed_node_neither_stops_a_node_starting_nor_holds_back_the_missed_follow_ups()
    {
        var now = DateTimeOffset.UtcNow;
        var (connectionString, releases) = await PlanAsync(2, LondonTime.DateOf(now).AddDays(-22), now.AddDays(-30));
        // As a node killed while registering or scheduling the recurring sweep leaves it (until it times out).
        TestPostgres.Execute(connectionString,
            "INSERT INTO hangfire.lock (resource, updatecount, acquired) VALUES ('hangfire:lock:recurring-job:follow-ups', 0, now())");

        await using var node = FollowUpHub.Node(fire: true, connectionString);
        _ = node.Server;
        var rows = await AllRunAsync(connectionString);

        Assert.Equal(releases.Count * 5, rows.Count);
        await AssertEachEffectOnceAsync(connectionString, rows);
    }

    [Fact]
    public async Task Two_nodes_starting_at_once_on_an_empty_database_install_Hangfire_s_schema_once_and_run_follow_ups()
    {
        var connectionString = TestPostgres.CreateEmptyDatabase("hangfire_race");
        await using var nodeA = FollowUpHub.Node(fire: true, connectionString);
        await using var nodeB = FollowUpHub.Node(fire: true, connectionString);
        await Task.WhenAll(Task.Run(() => nodeA.Server), Task.Run(() => nodeB.Server));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var versions = new NpgsqlCommand("SELECT count(*), max(version) FROM hangfire.schema", connection))
        await using (var reader = await versions.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal(1, reader.GetInt64(0)); // Hangfire.PostgreSql keeps one row, moved up version by version
            Assert.True(reader.GetInt32(1) >= 20, "every Hangfire.PostgreSql version applied");
        }
        // Both nodes registered with Hangfire and each ran a sweep.
        await Eventually.WaitForAsync(() => CountAsync(connectionString, "SELECT count(*) FROM hangfire.server"), servers => servers == 2,
            "both nodes' Hangfire servers", Patience);
        await Eventually.WaitForAsync(() => CountAsync(connectionString, "SELECT count(*) FROM hangfire.job WHERE statename = 'Succeeded'"),
            succeeded => succeeded >= 2, "the nodes' first sweeps", Patience);
    }

    [Fact]
    public async Task Hangfire_s_tables_hold_no_personal_data_the_sweep_has_no_arguments()
    {
        var now = DateTimeOffset.UtcNow;
        var (connectionString, releases) = await PlanAsync(2, LondonTime.DateOf(now).AddDays(-22), now.AddDays(-30));
        await using (var node = FollowUpHub.Node(fire: true, connectionString))
        {
            _ = node.Server;
            await AllRunAsync(connectionString);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT 'job ' || invocationdata::text || ' ' || arguments::text FROM hangfire.job
            UNION ALL SELECT 'parameter ' || name || ' ' || coalesce(value, '') FROM hangfire.jobparameter
            UNION ALL SELECT 'state ' || name || ' ' || coalesce(reason, '') || ' ' || coalesce(data::text, '') FROM hangfire.state
            UNION ALL SELECT 'hash ' || key || ' ' || field || ' ' || coalesce(value, '') FROM hangfire.hash
            """, connection);
        var stored = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) stored.Add(reader.GetString(0));

        var jobs = stored.Where(l => l.StartsWith("job ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(jobs);
        // The sweep's one argument is the cancellation token Hangfire supplies: stored as null.
        Assert.All(jobs, job => Assert.EndsWith(" [null]", job));
        Assert.All(jobs, job => Assert.Contains("RunDueAsync", job));
        var text = string.Join("\n", stored);
        foreach (var (referralId, episodeId, noms) in releases)
        {
            Assert.DoesNotContain(noms, text);
            Assert.DoesNotContain(episodeId.ToString(), text);
            Assert.DoesNotContain(referralId.ToString(), text);
        }
        // Notifications.Example's person: name, date of birth, NHS number, CRN, address; the staff mailboxes.
        foreach (var personal in new[] { "Sam", "Example", "1985-03-14", "9434765919", "X123456", "2001/0123456F", "NN17 1AA", "Jo Smith", "example.justice.gov.uk", "example.nhs.uk" })
            Assert.DoesNotContain(personal, text);
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Task<long> WaitingForTheOutboxAsync(string connectionString) => CountAsync(connectionString,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'relation'");

    private static Task<long> ProcessingSweepsAsync(string connectionString) =>
        CountAsync(connectionString, "SELECT count(*) FROM hangfire.job WHERE statename = 'Processing'");

    /// <summary>The hub as a real process on the test's database (as Platform/HubProcessTests starts it), running follow-ups.</summary>
    private static Process StartHubProcess(string connectionString, string dataDirectory)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var assembly = Path.Combine(RepositoryPaths.Root, "src", "ContinuityHub", "bin", configuration, "net10.0", "ContinuityHub.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly },
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Hub"] = connectionString;
        start.Environment["Hub__DataDirectory"] = dataDirectory;
        start.Environment["Hub__Auth__Mode"] = "development";
        start.Environment["Urls"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["Hub__FollowUps__Enabled"] = "true";
        start.Environment["Hub__FollowUps__Schedule"] = "* * * * * *";
        start.Environment["Hub__FollowUps__PollInterval"] = "00:00:00.500";
        var process = Process.Start(start)!;
        // Drain the pipes so the child never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
