using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Npgsql;

namespace ContinuityHub.Tests.Platform;

/// <summary>
/// PostgreSQL unreachable under a running hub (issue 12): every endpoint answers 503 with Retry-After and a problem
/// (an OperationOutcome under /fhir), never 500; when the database is back the hub serves again by itself.
/// The outage is a cut TCP path between the hub and the test's PostgreSQL (<see cref="TcpProxy"/>).
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private TcpProxy proxy = null!;
    private OutageHub hub = null!;

    private sealed class OutageHub(string connectionString) : HubFactory(connectionString);

    public Task InitializeAsync()
    {
        var direct = new NpgsqlConnectionStringBuilder(TestPostgres.CreateDatabase());
        proxy = new TcpProxy(direct.Port);
        // No pool-side retries to wait out: a refused connection fails at once.
        hub = new OutageHub(new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = proxy.Port, Timeout = 3 }.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await hub.DisposeAsync();
        await proxy.DisposeAsync();
    }

    [Fact]
    public async Task With_the_database_down_every_endpoint_answers_503_with_Retry_After_and_the_hub_recovers_by_itself()
    {
        var prison = hub.PrisonClient("ONI");
        var before = Notifications.Example();
        var created = await prison.PostAsJsonAsync("/api/v1/releases", before);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var referralId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["referralId"]!.GetValue<string>();
        var admin = hub.ClientFor(HubRoles.Admin);

        proxy.Cut();

        var during = Notifications.Example();
        var post = await prison.PostAsJsonAsync("/api/v1/releases", during);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), post.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        var problem = (await post.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(503, problem["status"]!.GetValue<int>());
        Assert.EndsWith("/problems/database-unavailable", problem["type"]!.GetValue<string>());
        Assert.NotNull(problem["correlationId"]);
        Assert.True(post.Headers.Contains("Content-Security-Policy"), "the security headers survive the exception handler");

        foreach (var (client, read) in new[] { (prison, $"/api/v1/releases/{before["notificationId"]}"), (admin, "/api/v1/followups?status=due"), (admin, "/api/v1/notifications") })
        {
            var answer = await client.GetAsync(read);
            Assert.True(answer.StatusCode == HttpStatusCode.ServiceUnavailable, $"{read}: {(int)answer.StatusCode}");
            Assert.NotNull(answer.Headers.RetryAfter);
        }
        var fhir = await admin.GetAsync($"/fhir/Task/{referralId}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, fhir.StatusCode);
        Assert.NotNull(fhir.Headers.RetryAfter);
        Assert.Contains("\"code\":\"transient\"", await fhir.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await hub.CreateClient().GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hub.CreateClient().GetAsync("/health/live")).StatusCode);

        proxy.Restore();

        // The same request again, once the database is back: stored, and the earlier one is still there.
        Assert.Equal(HttpStatusCode.Created, (await prison.PostAsJsonAsync("/api/v1/releases", during)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await prison.GetAsync($"/api/v1/releases/{before["notificationId"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hub.CreateClient().GetAsync("/health/ready")).StatusCode);
        Assert.DoesNotContain("Unhandled", hub.Log.All);
    }
}
