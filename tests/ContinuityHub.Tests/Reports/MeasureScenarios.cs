using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Reports;

/// <summary>Builds measure cases through the hub's own API (releases, HMPPS events, provider actions) and reads the report.</summary>
public static class MeasureScenarios
{
    /// <summary>NN17 routes to North Northamptonshire's provider, NN1 to West Northamptonshire's (example mappings).</summary>
    public const string NorthProvider = "EXS2SN";
    public const string WestProvider = "EXS2SW";

    public sealed record Release(Guid ReferralId, Guid EpisodeId, string Noms);

    /// <summary>A confirmed release (notification status <c>released</c>) with a treatment need, referred to the area's provider.</summary>
    public static async Task<Release> ReleasedAsync(this HubFactory hub, string releaseDate, string prison = "ONI", string postcode = "NN17 1AA",
        string[]? substances = null, string status = "released")
    {
        var notification = Notifications.Example(releaseDate: releaseDate, status: status, prisonCode: prison, postcode: postcode, substances: substances);
        notification["treatmentNeed"]!["ost"]!["lastDoseDate"] = releaseDate; // plausible whatever the test clock says
        var response = await hub.PrisonClient(prison).PostAsJsonAsync("/api/v1/releases", notification);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode || body.GetProperty("referralId").ValueKind != JsonValueKind.String)
            throw new InvalidOperationException($"The release was not referred: {(int)response.StatusCode} {body} {string.Join("\n", hub.Log.Lines.Where(l => l.Contains("Exception")).TakeLast(2).Select(l => l.Length > 1500 ? l[..1500] : l))}");
        return new Release(body.GetProperty("referralId").GetGuid(), body.GetProperty("episodeId").GetGuid(), (string)notification["person"]!["nomsNumber"]!);
    }

    public static async Task EngageAsync(this HubFactory hub, Release release, string date, string provider = NorthProvider)
    {
        var response = await hub.ClientFor(HubRoles.TreatmentProvider, ods: provider)
            .PostAsJsonAsync($"/api/v1/referrals/{release.ReferralId}/engagement", new { date });
        Assert.True(response.IsSuccessStatusCode, $"engagement {date}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The provider's FHIR path for a late engagement: PUT its Task as <c>completed</c> with the engagement date as executionPeriod.start.</summary>
    public static async Task<JsonElement> CompleteTaskAsync(this HubFactory hub, Release release, string engagedOn, string provider = NorthProvider)
    {
        var client = hub.ClientFor(HubRoles.TreatmentProvider, ods: provider);
        var read = await client.GetAsync($"/fhir/Task/{release.ReferralId}");
        var task = JsonNode.Parse(await read.Content.ReadAsStringAsync())!.AsObject();
        task["status"] = "completed";
        task["executionPeriod"] = new JsonObject { ["start"] = engagedOn };
        var request = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Task/{release.ReferralId}")
        {
            Content = new StringContent(task.ToJsonString(), System.Text.Encoding.UTF8, "application/fhir+json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.ToString());
        var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Task update: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>An HMPPS prisoner.received ADMISSION at London noon of <paramref name="date"/>: back in custody.</summary>
    public static Task AdmittedAsync(this HubFactory hub, string noms, string date) =>
        hub.EventAsync(HmppsEvents.Admission(noms, $"{date}T12:00:00+00:00"));

    public static async Task EventAsync(this HubFactory hub, JsonObject ev)
    {
        var response = await HmppsEvents.PostAsync(hub.ClientFor(HubRoles.EventFeed), ev);
        Assert.True(response.IsSuccessStatusCode, $"event: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>GET /api/v1/reports/engagement as a commissioner; 200 expected.</summary>
    public static async Task<JsonElement> ReportAsync(this HubFactory hub, string? from, string? to, string? asOf = null, params string[] groupBy)
    {
        var response = await hub.ClientFor(HubRoles.Commissioner).GetAsync(ReportPath(from, to, asOf, groupBy));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static string ReportPath(string? from, string? to, string? asOf, IEnumerable<string> groupBy)
    {
        var parameters = new List<string>();
        if (from is not null) parameters.Add($"from={from}");
        if (to is not null) parameters.Add($"to={to}");
        if (asOf is not null) parameters.Add($"asOf={asOf}");
        parameters.AddRange(groupBy.Select(g => $"groupBy={g}"));
        return "/api/v1/reports/engagement" + (parameters.Count == 0 ? "" : "?" + string.Join("&", parameters));
    }

    /// <summary>(cohort, engaged, notEngaged, pending, excluded) of the report's total.</summary>
    public static (int Cohort, int Engaged, int NotEngaged, int Pending, int Excluded) Totals(JsonElement report) => (
        report.GetProperty("cohort").GetInt32(), report.GetProperty("engaged").GetInt32(), report.GetProperty("notEngaged").GetInt32(),
        report.GetProperty("pending").GetInt32(), report.GetProperty("excluded").GetInt32());

    public static JsonElement Group(JsonElement report, string by, string key) =>
        report.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("by").GetString() == by && g.GetProperty("key").GetString() == key);
}
