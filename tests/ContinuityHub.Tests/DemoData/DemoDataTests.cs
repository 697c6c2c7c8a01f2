using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.DemoData;
using ContinuityHub.Features.Releases;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.Reports;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.DemoData;

/// <summary>
/// <c>demo-data</c> (issue #11 item 10): loads synthetic releases through the hub's own services into a test
/// database and the numbers look like a real service; it refuses outside Development and on a database with
/// data it did not make; and the real command works on the embedded PostgreSQL. The test clock is 2026-11-22.
/// </summary>
public sealed class DemoDataTests
{
    private static async Task<(int Code, string Output, string Error)> RunAsync(HubFactory hub, string environment, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        _ = hub.Server; // the hub's services built
        var code = await DemoDataCommand.RunAsync(hub.Services, environment, [DemoDataCommand.Name, .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Loads_four_months_of_releases_that_look_real_through_the_hubs_services_and_a_second_run_loads_nothing()
    {
        await using var hub = new HubFactory();

        var (code, output, error) = await RunAsync(hub, "Development", "--days", "120", "--seed", "7");

        Assert.True(code == 0, error);
        Assert.Contains("releases", output);
        var report = await hub.ReportAsync("2026-07-25", "2026-11-22", "2026-11-22");
        var (cohort, engaged, notEngaged, pending, excluded) = MeasureScenarios.Totals(report);
        Assert.InRange(cohort, 700, 1200);
        Assert.InRange(report.GetProperty("rate").GetDecimal(), 0.40m, 0.62m);
        Assert.InRange(excluded, 5, 60);
        Assert.InRange(pending, 50, 250);
        Assert.True(engaged > 0 && notEngaged > 0);

        await using (var db = hub.Db())
        {
            Assert.Equal(await db.ReleaseNotifications.CountAsync(), await db.ReleaseNotifications.CountAsync(n => n.SubmittedBy == DemoDataLoader.Actor));
            var people = await db.People.AsNoTracking().ToListAsync();
            Assert.All(people, p =>
            {
                Assert.StartsWith("999", p.NhsNumber);
                Assert.True(Identifiers.IsNhsNumber(p.NhsNumber!) && Identifiers.IsNomsNumber(p.NomsNumber) && Identifiers.IsCrn(p.Crn!)
                            && Identifiers.IsPncNumber(p.PncNumber!), "an identifier the hub's own rules refuse");
            });
            Assert.True(await db.Episodes.CountAsync() > people.Count, "nobody was released twice");
            var states = await db.Referrals.GroupBy(r => r.TaskStatus).Select(g => g.Key).ToListAsync();
            Assert.Superset(new HashSet<string> { "requested", "accepted", "rejected", "in-progress", "cancelled" }, states.ToHashSet());
            Assert.True(await db.Episodes.AnyAsync(e => e.ReleaseDate > new DateOnly(2026, 11, 22)), "no planned releases ahead");
            Assert.True(await db.AuditLog.AnyAsync(a => a.ActorSubject == DemoDataLoader.Actor && a.Action == "referral.engagement"));
            Assert.True(await db.AuditLog.AnyAsync(a => a.ActorSubject == DemoDataLoader.Actor && a.Action == "episode.exclusion"));
        }
        var caseload = await hub.ClientFor(HubRoles.Probation, pdus: [DemoPopulation.NorthPdu]).GetFromJsonAsync<JsonElement>($"/api/v1/caseload?pdu={DemoPopulation.NorthPdu}");
        Assert.True(caseload.GetProperty("count").GetInt32() > 50);

        var episodes = await CountEpisodes(hub);
        var again = await RunAsync(hub, "Development", "--days", "120", "--seed", "7");
        Assert.Equal(0, again.Code);
        Assert.Contains("already holds", again.Output);
        Assert.Equal(episodes, await CountEpisodes(hub));
    }

    [Fact]
    public async Task Refuses_outside_Development_and_on_a_database_holding_data_it_did_not_make_and_writes_nothing()
    {
        await using var hub = new HubFactory();

        var production = await RunAsync(hub, "Production", "--days", "5");
        Assert.Equal(1, production.Code);
        Assert.Contains("ASPNETCORE_ENVIRONMENT=Development", production.Error);
        Assert.Equal(0, await CountEpisodes(hub));

        Assert.Equal(2, (await RunAsync(hub, "Development", "--days", "lots")).Code);

        Assert.Equal(HttpStatusCode.Created, (await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example())).StatusCode);
        var realData = await RunAsync(hub, "Development", "--days", "5");
        Assert.Equal(1, realData.Code);
        Assert.Contains("did not make", realData.Error);
        Assert.Equal(1, await CountEpisodes(hub));
    }

    [Fact]
    public async Task The_command_runs_on_the_embedded_PostgreSQL_and_stops_it_after()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"hub-demo-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        try
        {
            var loaded = await RunProcessAsync(dataDirectory, "Development", ["--days", "10", "--per-weekday", "3"]);
            Assert.True(loaded.Code == 0, loaded.Error + loaded.Output);
            Assert.Matches(@"demo-data: \d+ releases, \d+ referrals", loaded.Output);
            Assert.False(File.Exists(Path.Combine(dataDirectory, "pg", "postmaster.pid")), "the embedded PostgreSQL was left running");

            // An identity provider named, so the hub gets as far as the command (without one, Production does not start at all).
            var refused = await RunProcessAsync(dataDirectory, "Production", extra: ("Hub__Auth__Authority", "https://idp.example.org"));
            Assert.Equal(1, refused.Code);
            Assert.Contains("refuses", refused.Error);
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<int> CountEpisodes(HubFactory hub)
    {
        await using var db = hub.Db();
        return await db.Episodes.CountAsync();
    }

    private static async Task<(int Code, string Output, string Error)> RunProcessAsync(string dataDirectory, string environment, string[]? args = null,
        (string Name, string Value)? extra = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        var assembly = Path.Combine(RepositoryPaths.Root, "src", "ContinuityHub", "bin", configuration, "net10.0", "ContinuityHub.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { assembly, DemoDataCommand.Name }.Concat(args ?? [])) start.ArgumentList.Add(argument);
        start.Environment["ConnectionStrings__Hub"] = "";
        start.Environment["Hub__DataDirectory"] = dataDirectory;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        if (extra is { } setting) start.Environment[setting.Name] = setting.Value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
