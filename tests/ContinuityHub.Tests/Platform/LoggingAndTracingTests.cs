using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Platform;

/// <summary>Logs carry what operators need (route, status, correlation id) and never a person's details.</summary>
public sealed class LoggingAndTracingTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task Names_dates_of_birth_NHS_numbers_and_addresses_never_reach_the_log()
    {
        string[] personal = ["Zebedee", "Quixtonby", "1977-07-19", "9434765919", "NN17 1AA", "jo.smith@example.justice.gov.uk", "Jo Smith", "2001/0123456F"];
        var client = hub.PrisonClient("ONI");
        var valid = Notifications.Example();
        valid["person"]!["givenName"] = "Zebedee";
        valid["person"]!["familyName"] = "Quixtonby";
        valid["person"]!["dateOfBirth"] = "1977-07-19";
        await client.PostAsJsonAsync("/api/v1/releases", valid);                 // accepted
        await client.PostAsJsonAsync("/api/v1/releases", valid);                 // replayed
        var invalid = JsonSerializer.Deserialize<System.Text.Json.Nodes.JsonObject>(valid.ToJsonString())!;
        invalid["person"]!["nhsNumber"] = "9434765918";
        invalid["release"]!["prisonCode"] = "ZZZ";
        await client.PostAsJsonAsync("/api/v1/releases", invalid);               // rejected
        await client.PostAsync("/api/v1/releases/batch", new StringContent(
            "notificationId,nomsNumber,givenName,familyName,dateOfBirth,prisonCode,releaseDate,status,substances,consentToShare,postcode,nhsNumber\n" +
            $"{Guid.NewGuid()},{Notifications.NewNomsNumber()},Zebedee,Quixtonby,1977-07-19,ONI,2026-12-01,planned,opiates,true,NN17 1AA,9434765919\n" +
            $"{Guid.NewGuid()},{Notifications.NewNomsNumber()},Zebedee,Quixtonby,1977-07-19,ONI,2026-12-01,planned,opiates,maybe,NN17 1AA,9434765918\n",
            Encoding.UTF8, "text/csv"));
        await hub.ClientFor(HubRoles.EventFeed).PostAsync("/api/v1/events/hmpps", new StringContent(
            """{"eventType":"prison-offender-events.prisoner.released","occurredAt":"2026-11-20T10:00:00Z","additionalInformation":{"nomsNumber":"A9999ZZ","reason":"RELEASED","nomisMovementReasonCode":"ZZZ"}}""",
            Encoding.UTF8, "application/json"));

        var log = hub.Log.All;
        Assert.Contains("HTTP POST /api/v1/releases", log);      // the capture sees the hub's request log…
        Assert.Contains("\"CorrelationId\"", log);
        Assert.Contains("ZZZ", log);                              // …and its warnings (an unknown movement code)
        foreach (var value in personal) Assert.DoesNotContain(value, log);
    }

    [Fact]
    public async Task One_request_line_names_the_route_template_status_elapsed_time_correlation_id_and_role_never_the_raw_path()
    {
        var client = hub.ClientFor(HubRoles.Probation, pdus: ["N56NNE"]);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/people/A7654ZY/episodes?nhsNumber=9434765919");
        request.Headers.Add("X-Correlation-Id", "route-log-check");

        await client.SendAsync(request);

        var line = Assert.Single(hub.Log.Lines, l => l.Contains("route-log-check") && l.Contains("\"RouteTemplate\""));
        using var json = JsonDocument.Parse(line);
        var properties = json.RootElement.GetProperty("Properties");
        Assert.Equal("/api/v1/people/{personId}/episodes", properties.GetProperty("RouteTemplate").GetString());
        Assert.Equal("GET", properties.GetProperty("RequestMethod").GetString());
        Assert.Equal(HubRoles.Probation, properties.GetProperty("Role").GetString());
        Assert.True(properties.TryGetProperty("StatusCode", out _));
        Assert.True(properties.TryGetProperty("Elapsed", out _));
        Assert.False(properties.TryGetProperty("RequestPath", out _), "the raw path is not an event property");
        Assert.DoesNotContain("A7654ZY", hub.Log.All);
        Assert.DoesNotContain("9434765919", hub.Log.All);
    }

    [Fact]
    public async Task A_callers_correlation_id_is_echoed_and_put_on_problem_answers()
    {
        var client = hub.PrisonClient("ONI");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/releases") { Content = JsonContent.Create(new { }) };
        request.Headers.Add("X-Correlation-Id", "trace-abc-123");

        var response = await client.SendAsync(request);

        Assert.Equal("trace-abc-123", response.Headers.GetValues("X-Correlation-Id").Single());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("trace-abc-123", body.GetProperty("correlationId").GetString());
        Assert.Contains(hub.Log.Lines, line => line.Contains("trace-abc-123") && line.Contains("422"));
    }

    [Fact]
    public async Task Health_endpoints_answer_without_a_token()
    {
        var anonymous = hub.CreateClient();
        Assert.True((await anonymous.GetAsync("/health/live")).IsSuccessStatusCode);
        Assert.True((await anonymous.GetAsync("/health/ready")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task The_dev_token_command_prints_a_token_the_hub_accepts_with_its_scope_claims()
    {
        var output = new StringWriter();
        var exit = DevTokenCommand.Run(["dev-token", "--role", "PROBATION", "--pdu", "*"],
            new Hosting.HubOptions { DataDirectory = hub.DataDirectory }, Microsoft.Extensions.Hosting.Environments.Development, output, TextWriter.Null);
        Assert.Equal(0, exit);

        var client = hub.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", output.ToString().Trim());
        var notification = Notifications.Example();
        notification["source"] = "probation";
        var response = await client.PostAsJsonAsync("/api/v1/releases", notification);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);

        Assert.Equal(2, DevTokenCommand.Run(["dev-token", "--role", "KING"], new Hosting.HubOptions { DataDirectory = hub.DataDirectory }, Microsoft.Extensions.Hosting.Environments.Development, TextWriter.Null, TextWriter.Null));
    }
}
