using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Intake;

/// <summary>A row that fails unexpectedly in the database costs only that row, never the rows after it.</summary>
public sealed class ReleaseBatchFaultTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task An_unexpected_failure_in_one_row_is_reported_for_that_row_and_the_rest_are_taken_in()
    {
        // A real database failure for one person only, raised by PostgreSQL itself.
        TestPostgres.Execute(hub.ConnectionString, """
            CREATE FUNCTION fail_for_one_person() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.noms_number = 'Z9999ZZ' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END; $$;
            CREATE TRIGGER fail_for_one_person BEFORE INSERT ON episodes FOR EACH ROW EXECUTE FUNCTION fail_for_one_person();
            """);
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
