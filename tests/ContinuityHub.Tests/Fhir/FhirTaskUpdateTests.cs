using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Fhir;

/// <summary>PUT /fhir/Task/{id} with If-Match (contract §5): the closed loop through FHIR.</summary>
public sealed class FhirTaskUpdateTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private HttpClient Provider() => hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");

    private async Task<Guid> NewReferral(string releaseDate = "2026-11-10") =>
        (await hub.SubmitReleaseAsync(Notifications.Example(releaseDate: releaseDate, status: "released"))).ReferralId;

    /// <summary>Reads the Task, lets the test change it, and PUTs it back with the given (or read) ETag.</summary>
    private async Task<HttpResponseMessage> Put(HttpClient client, Guid id, Action<JsonObject> change, string? ifMatch = "read")
    {
        var read = await Provider().GetAsync($"/fhir/Task/{id}");
        var task = JsonNode.Parse(await read.Content.ReadAsStringAsync())!.AsObject();
        change(task);
        var request = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Task/{id}")
        {
            Content = new StringContent(task.ToJsonString(), Encoding.UTF8, "application/fhir+json"),
        };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch == "read" ? read.Headers.ETag!.ToString() : ifMatch);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> Outcome(HttpResponseMessage response, HttpStatusCode status) =>
        (await FhirAssert.OutcomeAsync(response, status))[0];

    [Fact]
    public async Task A_provider_moves_the_task_requested_accepted_in_progress_completed_and_each_answer_carries_the_new_version()
    {
        var id = await NewReferral();
        var client = Provider();

        var accepted = await Put(client, id, t => t["status"] = "accepted");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("W/\"2\"", accepted.Headers.ETag?.ToString());
        var engaged = await Put(client, id, t => { t["status"] = "in-progress"; t["executionPeriod"] = new JsonObject { ["start"] = "2026-11-12" }; });
        Assert.Equal(HttpStatusCode.OK, engaged.StatusCode);
        var completed = await Put(client, id, t => t["status"] = "completed");
        var body = await completed.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(("completed", "2026-11-12"), (body.GetProperty("status").GetString(), body.GetProperty("executionPeriod").GetProperty("start").GetString()));
        await using var db = hub.Db();
        Assert.Equal(new DateOnly(2026, 11, 12), (await db.Episodes.SingleAsync(e => db.Referrals.Any(r => r.Id == id && r.EpisodeId == e.Id))).EngagedOn);
    }

    [Fact]
    public async Task A_stale_If_Match_is_412_a_missing_one_428_and_neither_changes_anything()
    {
        var id = await NewReferral();
        var client = Provider();
        await Put(client, id, t => t["status"] = "accepted");                                   // now version 2

        static void Reject(JsonObject t) { t["status"] = "rejected"; t["statusReason"] = new JsonObject { ["text"] = "moved away" }; }
        var stale = await Outcome(await Put(client, id, Reject, ifMatch: "W/\"1\""), HttpStatusCode.PreconditionFailed);
        Assert.Contains("version 2", stale.GetProperty("diagnostics").GetString());
        await Outcome(await Put(client, id, Reject, ifMatch: null), (HttpStatusCode)428);

        await using var db = hub.Db();
        var referral = await db.Referrals.SingleAsync(r => r.Id == id);
        Assert.Equal(("accepted", 2), (referral.TaskStatus, referral.Version));
    }

    [Fact]
    public async Task Illegal_transitions_and_missing_details_are_422_or_400_with_a_FHIRPath_expression()
    {
        var id = await NewReferral();
        var client = Provider();

        var illegal = await Outcome(await Put(client, id, t => t["status"] = "completed"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Task.status", illegal.GetProperty("expression")[0].GetString());
        var hubOnly = await Outcome(await Put(client, id, t => t["status"] = "failed"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Task.status", hubOnly.GetProperty("expression")[0].GetString());
        var noReason = await Outcome(await Put(client, id, t => t["status"] = "rejected"), HttpStatusCode.BadRequest);
        Assert.Equal("Task.statusReason", noReason.GetProperty("expression")[0].GetString());
        var beforeRelease = await Outcome(await Put(client, id, t => { t["status"] = "in-progress"; t["executionPeriod"] = new JsonObject { ["start"] = "2026-11-01" }; }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Task.executionPeriod.start", beforeRelease.GetProperty("expression")[0].GetString());
        var wrongId = await Outcome(await Put(client, id, t => t["id"] = Guid.NewGuid().ToString()), HttpStatusCode.BadRequest);
        Assert.Equal("Task.id", wrongId.GetProperty("expression")[0].GetString());

        await using var db = hub.Db();
        var referral = await db.Referrals.SingleAsync(r => r.Id == id);
        Assert.Equal(("requested", 1), (referral.TaskStatus, referral.Version));
    }

    [Fact]
    public async Task Another_provider_is_403_and_a_late_engagement_inside_the_window_completes_a_failed_task()
    {
        var id = await NewReferral(releaseDate: "2026-10-01");
        await Outcome(await Put(hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SW"), id, t => t["status"] = "accepted"), HttpStatusCode.Forbidden);

        await using (var db = hub.Db())
            await db.Referrals.Where(r => r.Id == id).ExecuteUpdateAsync(r => r.SetProperty(x => x.TaskStatus, "failed"));
        var late = await Put(Provider(), id, t => { t["status"] = "completed"; t["executionPeriod"] = new JsonObject { ["start"] = "2026-10-20" }; });

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("completed", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }
}
