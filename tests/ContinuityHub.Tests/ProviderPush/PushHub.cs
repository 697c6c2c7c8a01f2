using System.Text.Json.Nodes;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.Mappings;
using Microsoft.AspNetCore.Hosting;

namespace ContinuityHub.Tests.ProviderPush;

/// <summary>
/// The hub with a copy of mappings/ in which North Northamptonshire's provider (EXS2SN, where NN17 routes)
/// has its fhirEndpoint at <paramref name="provider"/>, and push timings short enough for tests. Given a
/// connection string, it is another node (or a restart) on that database.
/// </summary>
public sealed class PushHub : HubFactory
{
    public const string ProviderOds = "EXS2SN";
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly MappingsLoaderTests.MappingsCopy mappings = new();
    private readonly bool dispatch;

    public PushHub(ProviderStub provider, string? connectionString = null, bool dispatch = true)
        : base(connectionString ?? TestPostgres.CreateDatabase("push"))
    {
        this.dispatch = dispatch;
        mappings.Edit("providers.json", root =>
        {
            foreach (var entry in root["providers"]!.AsArray())
                if ((string?)entry!["odsCode"] == ProviderOds) entry["fhirEndpoint"] = provider.Endpoint;
        });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hub:MappingsDirectory", mappings.Path);
        builder.UseSetting("Hub:ProviderPush:Enabled", dispatch ? "true" : "false");
        builder.UseSetting("Hub:ProviderPush:HubFhirBaseUrl", "https://hub.example.org/fhir");
        builder.UseSetting("Hub:ProviderPush:PollInterval", PollInterval.ToString());
        builder.UseSetting("Hub:ProviderPush:AttemptTimeout", "00:00:01");
        builder.UseSetting("Hub:ProviderPush:RetriesPerDispatch", "1");
        builder.UseSetting("Hub:ProviderPush:RetryDelay", "00:00:00.020");
        builder.UseSetting("Hub:ProviderPush:Lease", "00:00:30");
        builder.UseSetting("Hub:ProviderPush:BackoffBase", "00:01:00");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        mappings.Dispose();
    }
}

/// <summary>Waits for a condition by polling it, so tests never sleep a fixed time for something they can observe.</summary>
public static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Gave up waiting for {what}; last seen: {value}");
            await Task.Delay(25);
        }
    }

    public static Task<T> WaitForAsync<T>(Func<T> probe, Func<T, bool> done, string what, TimeSpan? timeout = null) =>
        WaitForAsync(() => Task.FromResult(probe()), done, what, timeout);
}
