using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>
/// The hub as an operator runs it: the built ContinuityHub.dll in its own process, configured only through its
/// environment and command line. Standard output (the log) is drained as it comes — undrained, a hub logging a
/// database outage fills the pipe and blocks — and standard error is collected for the assertions.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    /// <summary>Settings of the test runner's own environment that would otherwise leak into the hub.</summary>
    private static readonly string[] Inherited = ["ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "Urls"];

    private readonly StringBuilder _standardError = new();

    private HubProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>What the hub wrote on standard error so far (complete once it has exited).</summary>
    public string StandardError { get { lock (_standardError) return _standardError.ToString(); } }

    public static string Assembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
            return Path.Combine(RepositoryPaths.Root, "src", "ContinuityHub", "bin", configuration, "net10.0", "ContinuityHub.dll");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the hub (or one of its commands, <paramref name="arguments"/>) with exactly these settings.</summary>
    public static HubProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(Assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Assembly);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in Inherited) start.Environment.Remove(name);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var hub = new HubProcess(Process.Start(start)!);
        hub.Process.OutputDataReceived += (_, _) => { };
        hub.Process.ErrorDataReceived += (_, line) => { if (line.Data is not null) lock (hub._standardError) hub._standardError.AppendLine(line.Data); };
        hub.Process.BeginOutputReadLine();
        hub.Process.BeginErrorReadLine();
        return hub;
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await Process.WaitForExitAsync(cancel.Token);
        return Process.ExitCode;
    }

    /// <summary>Polls <paramref name="path"/> until it answers 200.</summary>
    public async Task WaitUntilAnsweringAsync(string baseUrl, string path = "/health/ready", TimeSpan? timeout = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited) throw new InvalidOperationException("the hub exited during start-up: " + StandardError);
            try
            {
                if ((await client.GetAsync(path)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the hub did not answer {baseUrl}{path} within the time allowed");
    }

    /// <summary>SIGTERM, as a service manager stops it, and waits for the exit.</summary>
    public async Task StopAsync()
    {
        if (Process.HasExited) return;
        Process.Start("kill", ["-TERM", Process.Id.ToString()])!.WaitForExit();
        await WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch (OperationCanceledException) { Process.Kill(entireProcessTree: true); }
        Process.Dispose();
    }
}
