using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ContinuityHub.Hosting;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Platform;

/// <summary>
/// The hub as an operator runs it (contract §2): a real process with no connection string starts its own
/// PostgreSQL in its data folder, serves, stops that PostgreSQL on shutdown and finds its data again.
/// </summary>
public sealed class HubProcessTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"hub-process-{Guid.NewGuid():N}");
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _standardOutput = new();

    public HubProcessTests() => Directory.CreateDirectory(_dataDirectory);

    private static int FreePort() => HubProcess.FreePort();

    private Process StartHub(int port, Dictionary<string, string>? extra = null)
    {
        var assembly = HubProcess.Assembly;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly },
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ConnectionStrings__Hub"] = "";
        start.Environment["Hub__DataDirectory"] = _dataDirectory;
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in extra ?? []) start.Environment[key] = value;
        var process = Process.Start(start)!;
        // Standard output (the log) is drained as it comes: undrained, a hub logging a database outage fills the
        // pipe and then blocks on its next log line, shutdown included.
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) _standardOutput.Enqueue(line.Data); };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task WaitUntilReady(HttpClient client, Process hub)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (hub.HasExited) Assert.Fail("the hub exited during start-up: " + await hub.StandardError.ReadToEndAsync());
            try
            {
                if ((await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException("the hub did not become ready within 90 s");
    }

    private static async Task StopGracefully(Process hub)
    {
        Process.Start("kill", ["-TERM", hub.Id.ToString()])!.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await hub.WaitForExitAsync(timeout.Token);
    }

    [Fact]
    public async Task With_no_connection_string_the_hub_runs_on_its_own_PostgreSQL_and_keeps_its_data_across_restarts()
    {
        var port = FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var options = new HubOptions { DataDirectory = _dataDirectory };
        var tokenOutput = new StringWriter();
        Assert.Equal(0, DevTokenCommand.Run(["dev-token", "--role", HubRoles.PrisonHealthcare, "--prisons", "ONI"], options, Microsoft.Extensions.Hosting.Environments.Development, tokenOutput, TextWriter.Null));
        client.DefaultRequestHeaders.Authorization = new("Bearer", tokenOutput.ToString().Trim());
        var notification = Notifications.Example();

        var first = StartHub(port);
        try
        {
            await WaitUntilReady(client, first);
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/releases", notification)).StatusCode);
            Assert.True(File.Exists(Path.Combine(_dataDirectory, "pg", "postmaster.pid")));
        }
        finally
        {
            await StopGracefully(first);
        }
        Assert.False(File.Exists(Path.Combine(_dataDirectory, "pg", "postmaster.pid")), "the embedded PostgreSQL was left running");

        var second = StartHub(port);
        try
        {
            await WaitUntilReady(client, second);
            var readBack = await client.GetAsync($"/api/v1/releases/{notification["notificationId"]}");
            Assert.Equal(HttpStatusCode.OK, readBack.StatusCode);
        }
        finally
        {
            await StopGracefully(second);
        }
    }

    [Fact]
    public async Task Without_PostgreSQL_binaries_or_a_connection_string_it_says_what_to_install_and_exits()
    {
        var hub = StartHub(FreePort(), new()
        {
            ["Hub__PostgresInstallRoot"] = "/nonexistent",
            ["PATH"] = "/usr/bin:/bin",
        });
        var errorText = await hub.StandardError.ReadToEndAsync();
        await hub.WaitForExitAsync();

        Assert.Equal(1, hub.ExitCode);
        Assert.Contains("no PostgreSQL server binaries", errorText);
        Assert.Contains("apt-get install postgresql", errorText);
        Assert.Contains("ConnectionStrings__Hub", errorText);
        Assert.DoesNotContain("   at ", errorText); // one clear message, no stack trace
    }

    [Fact]
    public async Task An_unreachable_database_is_reported_in_one_line_and_the_hub_exits()
    {
        var hub = StartHub(FreePort(), new()
        {
            ["ConnectionStrings__Hub"] = $"Host=127.0.0.1;Port={FreePort()};Database=hub;Username=hub;Password=x;Timeout=3",
        });
        var errorText = await hub.StandardError.ReadToEndAsync();
        await hub.WaitForExitAsync();

        Assert.Equal(1, hub.ExitCode);
        Assert.Contains("database cannot be reached", errorText);
        Assert.Contains("ConnectionStrings__Hub", errorText);
    }

    [Fact]
    public async Task Readiness_reports_the_database_and_liveness_does_not_depend_on_it()
    {
        var port = FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var hub = StartHub(port);
        try
        {
            await WaitUntilReady(client, hub);
            // Stop the embedded PostgreSQL under the running hub.
            var pgCtl = Path.Combine(ContinuityHub.Infrastructure.Postgres.EmbeddedPostgresCluster.FindServerBinaries()!, "pg_ctl");
            var stop = Environment.IsPrivilegedProcess
                ? Process.Start("runuser", ["-u", "postgres", "--", pgCtl, "-D", Path.Combine(_dataDirectory, "pg"), "-m", "immediate", "stop"])!
                : Process.Start(pgCtl, ["-D", Path.Combine(_dataDirectory, "pg"), "-m", "immediate", "stop"])!;
            await stop.WaitForExitAsync();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await StopGracefully(hub);
        }
    }

    [Fact]
    public async Task With_json_logging_every_line_is_compact_json_and_a_request_is_logged_by_its_route_template()
    {
        var port = FreePort();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var hub = StartHub(port, new()
        {
            ["ConnectionStrings__Hub"] = TestPostgres.CreateDatabase("logjson"),
            ["Hub__Logging__Json"] = "true",
        });
        try
        {
            await WaitUntilReady(client, hub);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/people/A1234BC/episodes?nhs=9434765919")).StatusCode);
        }
        finally
        {
            await StopGracefully(hub);
        }

        var lines = _standardOutput.Where(line => line.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var events = lines.Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(events, e => Assert.True(e.TryGetProperty("@t", out _), "a compact JSON event has @t"));
        var request = Assert.Single(events, e => e.TryGetProperty("RouteTemplate", out var route) && route.GetString() == "/api/v1/people/{personId}/episodes");
        Assert.Equal(401, request.GetProperty("StatusCode").GetInt32());
        Assert.Equal("anonymous", request.GetProperty("Role").GetString());
        Assert.True(request.TryGetProperty("CorrelationId", out _));
        Assert.True(request.TryGetProperty("Elapsed", out _));
        Assert.DoesNotContain(lines, line => line.Contains("A1234BC") || line.Contains("9434765919"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
