using System.Net.Http.Headers;
using ContinuityHub.Data;
using ContinuityHub.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>
/// The real hub in-process (all its services, real PostgreSQL) on its own fresh database, with a clock the
/// test controls and its log output captured.
/// </summary>
public class HubFactory : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset DefaultNow = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    public HubFactory() : this(TestPostgres.CreateDatabase())
    {
    }

    /// <summary>A hub on an existing database: a restarted node, or a second node beside another (the constructor xUnit uses is the public one).</summary>
    protected HubFactory(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("continuityhub-data-").FullName;
    public TestClock Clock { get; } = new(DefaultNow);
    public CapturedLog Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Hub", ConnectionString);
        builder.UseSetting("Hub:DataDirectory", DataDirectory);
        builder.UseSetting("Hub:Logging:Json", "true");
        // Hangfire runs the follow-up sweep by the real clock while the hub reads the TestClock: a test that wants
        // follow-ups to run says so (FollowUpHub); everywhere else they are planned but never run by themselves.
        builder.UseSetting("Hub:FollowUps:Enabled", "false");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ILogEventSink>(Log);
        });
    }

    public string Token(string role, string[]? prisons = null, string? ods = null, string[]? pdus = null, string subject = "test-user") =>
        new DevelopmentTokenIssuer(DevelopmentSigningKey.LoadOrCreate(DataDirectory), "continuityhub")
            .Issue(subject, "Test User", [role], prisons, ods, pdus);

    public HttpClient ClientFor(string role, string[]? prisons = null, string? ods = null, string[]? pdus = null, string subject = "test-user")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(role, prisons, ods, pdus, subject));
        return client;
    }

    public HttpClient PrisonClient(params string[] prisons) => ClientFor(HubRoles.PrisonHealthcare, prisons: prisons.Length == 0 ? ["ONI"] : prisons);

    /// <summary>A DbContext on the test's database for assertions (outside the hub's DI scope).</summary>
    public HubDbContext Db() => new(new DbContextOptionsBuilder<HubDbContext>().UseNpgsql(ConnectionString).Options);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // The hub's idle pooled connections would otherwise stay open for minutes after it stopped, and the test
        // classes' hubs together would run the shared test server out of connections.
        // (The hub's own pool is keyed by its connection string with MaxAutoPrepare added, see HubDatabase.)
        foreach (var pooled in new[] { ConnectionString, new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { MaxAutoPrepare = 64 }.ConnectionString })
        {
            using var connection = new Npgsql.NpgsqlConnection(pooled);
            Npgsql.NpgsqlConnection.ClearPool(connection);
        }
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
