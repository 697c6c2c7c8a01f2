using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Fhir;

/// <summary>FHIR reads (contract §5): valid R4 in every state, ETags, scope, OperationOutcome, audit.</summary>
public sealed class FhirReadTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string Provider = "EXS2SN";
    private HttpClient ProviderClient(string ods = Provider) => hub.ClientFor(HubRoles.TreatmentProvider, ods: ods);

    private Task<(Guid ReferralId, Guid EpisodeId)> NewReferral(string releaseDate = "2026-11-10", string[]? substances = null) =>
        hub.SubmitReleaseAsync(Notifications.Example(releaseDate: releaseDate, status: "released", substances: substances));

    private async Task<string> ReadAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Every_resource_the_hub_serves_is_valid_R4_for_the_Firely_validator_in_every_task_state()
    {
        var client = ProviderClient();
        var served = new List<string>();
        var (id, _) = await NewReferral();
        var personId = JsonDocument.Parse(await ReadAsync(client, $"/fhir/ServiceRequest/{id}")).RootElement
            .GetProperty("subject").GetProperty("reference").GetString()!["Patient/".Length..];
        served.Add(await ReadAsync(client, $"/fhir/Patient/{personId}"));
        served.Add(await ReadAsync(client, $"/fhir/Organization/{Provider}"));
        served.Add(await ReadAsync(client, "/fhir/Organization/EXONI"));
        served.Add(await ReadAsync(client, "/fhir/ConceptMap/substances"));               // the mappings' own data files
        served.Add(await ReadAsync(client, "/fhir/ConceptMap/nomis-movement-reasons"));

        async Task Capture(Guid referral)
        {
            served.Add(await ReadAsync(client, $"/fhir/ServiceRequest/{referral}"));
            served.Add(await ReadAsync(client, $"/fhir/Task/{referral}"));
        }
        await Capture(id);                                                                              // requested
        await client.PostAsync($"/api/v1/referrals/{id}/accept", null); await Capture(id);               // accepted
        await client.PostAsJsonAsync($"/api/v1/referrals/{id}/engagement", new { date = "2026-11-12" }); await Capture(id); // in-progress
        var (rejected, _) = await NewReferral();
        await client.PostAsJsonAsync($"/api/v1/referrals/{rejected}/reject", new { reason = "moved away" }); await Capture(rejected);
        var (alcohol, _) = await NewReferral(substances: ["alcohol"]);
        foreach (var status in new[] { "failed", "cancelled", "completed" })
        {
            await using var db = hub.Db();
            await db.Referrals.Where(r => r.Id == alcohol).ExecuteUpdateAsync(r => r.SetProperty(x => x.TaskStatus, status));
            await Capture(alcohol);
        }

        var results = FhirValidator.Validate(served);
        Assert.All(results.Select((errors, i) => (errors, i)), r => Assert.True(r.errors.Count == 0, $"{served[r.i]}\n  {string.Join("\n  ", r.errors)}"));
        Assert.Contains(served, json => json.Contains("\"status\":\"in-progress\"") && json.Contains("\"executionPeriod\":{\"start\":\"2026-11-12\"}"));
        Assert.Contains(served, json => json.Contains("1099141000000106")); // alcohol-only referral code
    }

    [Fact]
    public async Task A_ServiceRequest_and_Task_follow_the_contract_and_carry_the_version_as_ETag_and_meta()
    {
        var (id, _) = await NewReferral(releaseDate: "2026-11-10");
        var client = ProviderClient();
        await client.PostAsync($"/api/v1/referrals/{id}/accept", null);

        var response = await client.GetAsync($"/fhir/ServiceRequest/{id}");
        Assert.Equal("W/\"2\"", response.Headers.ETag?.ToString());
        var request = (await response.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal("ServiceRequest", request.EnumerateObject().First().Value.GetString()); // resourceType first
        Assert.Equal(("active", "order"), (request.GetProperty("status").GetString(), request.GetProperty("intent").GetString()));
        Assert.Equal("201521000000104", request.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString());
        Assert.Equal(("2026-11-10", "2026-12-01"), (request.GetProperty("occurrencePeriod").GetProperty("start").GetString(), request.GetProperty("occurrencePeriod").GetProperty("end").GetString()));
        Assert.Equal($"Organization/{Provider}", request.GetProperty("performer")[0].GetProperty("reference").GetString());
        Assert.Equal("Organization/EXONI", request.GetProperty("requester").GetProperty("reference").GetString());
        Assert.Equal("2", request.GetProperty("meta").GetProperty("versionId").GetString());

        var task = await client.GetFromJsonAsync<JsonElement>($"/fhir/Task/{id}");
        Assert.Equal(("accepted", $"ServiceRequest/{id}"), (task.GetProperty("status").GetString(), task.GetProperty("focus").GetProperty("reference").GetString()));
        Assert.Equal("2026-12-01", task.GetProperty("restriction").GetProperty("period").GetProperty("end").GetString());
    }

    [Fact]
    public async Task Another_providers_referral_is_403_an_unknown_one_404_both_as_OperationOutcome_and_reads_are_audited()
    {
        var (id, _) = await NewReferral();
        var other = await ProviderClient("EXS2SW").GetAsync($"/fhir/ServiceRequest/{id}");
        var unknown = await ProviderClient().GetAsync($"/fhir/Task/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        foreach (var response in new[] { other, unknown })
        {
            var outcome = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
            Assert.Equal("error", outcome.GetProperty("issue")[0].GetProperty("severity").GetString());
        }
        var anonymous = await hub.CreateClient().GetAsync($"/fhir/Task/{id}");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("login", (await anonymous.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("issue")[0].GetProperty("code").GetString());

        await ProviderClient().GetAsync($"/fhir/ServiceRequest/{id}");
        await using var db = hub.Db();
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "fhir.read" && a.ResourceType == "ServiceRequest" && a.ResourceId == id.ToString()));
        Assert.False(await db.AuditLog.AnyAsync(a => a.Action == "fhir.read" && a.ActorRoles == "TREATMENT_PROVIDER" && a.ResourceId == id.ToString() && a.OccurredAt < DateTimeOffset.MinValue));
    }
}
