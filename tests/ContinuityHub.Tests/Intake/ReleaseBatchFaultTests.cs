using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Intake;

/// <summary>
/// Server-side failures (here a real PostgreSQL error for one person, raised by a trigger in this class's
/// own database): one batch row's failure costs only that row; a single request's failure is a 500
/// problem+json with a correlation id and nothing of the internals.
/// </summary>
public sealed class ReleaseBatchFaultTests : IClassFixture<HubFactory>
{
    private readonly HubFactory hub;

    public ReleaseBatchFaultTests(HubFactory hub)
    {
        this.hub = hub;
        TestPostgres.Execute(hub.ConnectionString, """
            CREATE OR REPLACE FUNCTION fail_for_one_person() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.noms_number = 'Z9999ZZ' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END; $$;
            CREATE OR REPLACE TRIGGER fail_for_one_person BEFORE INSERT ON episodes FOR EACH ROW EXECUTE FUNCTION fail_for_one_person();
            """);
    }

    [Fact]
    public async Task An_unexpected_failure_answers_500_problem_json_with_a_correlation_id_and_no_internals()
    {
        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example("Z9999ZZ"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("correlationId", text);
        Assert.DoesNotContain("injected", text);
        Assert.DoesNotContain("Npgsql", text);
        Assert.DoesNotContain(" at ", text);
    }

    [Fact]
    public async Task An_unexpected_failure_in_one_row_is_reported_for_that_row_and_the_rest_are_taken_in()
    {
        var rows = new JsonArray(Notifications.Example(), Notifications.Example("Z9999ZZ"), Notifications.Example());

        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases/batch", rows);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["accepted", "error", "accepted"], body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal(1, body.GetProperty("errors").GetInt32());
        Assert.DoesNotContain("injected", body.GetRawText());   // no internals leak to the client
        await using var db = hub.Db();
        Assert.False(await db.People.AnyAsync(p => p.NomsNumber == "Z9999ZZ"));
        Assert.Equal(2, await db.ReleaseNotifications.CountAsync());
    }
}
