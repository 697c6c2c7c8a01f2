using System.Net;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Fhir;
using ContinuityHub.Tests.Infrastructure;
using static ContinuityHub.Tests.Reports.MeasureScenarios;

namespace ContinuityHub.Tests.Reports;

/// <summary>
/// The measure under /fhir (contract §7, issue #5 item 3): the Measure definition and $evaluate-measure's
/// summary MeasureReport, valid R4, agreeing count for count with the JSON report; refusals as OperationOutcome.
/// </summary>
public sealed class MeasureFhirTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string MeasurePath = "/fhir/Measure/continuity-of-care-21-days";
    private const string PopulationSystem = "http://terminology.hl7.org/CodeSystem/measure-population";

    private static async Task<JsonElement> FhirOkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(FhirValidator.Validate([text])[0]);
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<JsonElement> OutcomeAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var issue = (await FhirAssert.OutcomeAsync(response, status))[0];
        Assert.Equal(code, issue.GetProperty("code").GetString());
        return issue;
    }

    private static Dictionary<string, int> Populations(JsonElement populations) =>
        populations.EnumerateArray().ToDictionary(
            p => p.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString()!, p => p.GetProperty("count").GetInt32());

    [Fact]
    public async Task The_Measure_is_a_valid_R4_proportion_measure_with_the_four_populations_and_a_stratifier_per_grouping()
    {
        // The definition holds no data: any signed-in role may read it.
        var measure = await FhirOkAsync(await hub.ClientFor(HubRoles.Probation, pdus: ["*"]).GetAsync(MeasurePath));

        Assert.Equal("Measure", measure.GetProperty("resourceType").GetString());
        Assert.Equal("continuity-of-care-21-days", measure.GetProperty("id").GetString());
        Assert.Equal("active", measure.GetProperty("status").GetString());
        Assert.Equal("proportion", measure.GetProperty("scoring").GetProperty("coding")[0].GetProperty("code").GetString());
        var group = measure.GetProperty("group")[0];
        Assert.Equal(["initial-population", "denominator", "denominator-exclusion", "numerator"],
            group.GetProperty("population").EnumerateArray().Select(p => p.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString()!).ToArray());
        Assert.All(group.GetProperty("population").EnumerateArray(),
            p => Assert.Equal(PopulationSystem, p.GetProperty("code").GetProperty("coding")[0].GetProperty("system").GetString()));
        Assert.Equal(["prison", "localAuthority", "provider", "substanceGroup", "month"],
            group.GetProperty("stratifier").EnumerateArray().Select(s => s.GetProperty("code").GetProperty("coding")[0].GetProperty("code").GetString()!).ToArray());

        await OutcomeAsync(await hub.ClientFor(HubRoles.Commissioner).GetAsync("/fhir/Measure/something-else"), HttpStatusCode.NotFound, "not-found");
        await OutcomeAsync(await hub.CreateClient().GetAsync(MeasurePath), HttpStatusCode.Unauthorized, "login");
    }

    [Fact]
    public async Task Evaluate_measure_gives_a_valid_summary_MeasureReport_that_agrees_with_the_JSON_report_stratum_for_stratum()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        var a = await hub.ReleasedAsync("2025-08-04", prison: "ONI");
        await hub.EngageAsync(a, "2025-08-04");
        var b = await hub.ReleasedAsync("2025-08-12", prison: "WDI", postcode: "NN1 1AA", substances: ["alcohol"]);
        await hub.EngageAsync(b, "2025-09-10", WestProvider); // day 29: not engaged
        var c = await hub.ReleasedAsync("2025-09-01", prison: "ONI", substances: ["cannabis"]);
        await hub.AdmittedAsync(c.Noms, "2025-09-05");
        await hub.ReleasedAsync("2025-09-20", prison: "RHI", substances: ["cocaine", "alcohol"]);

        var json = await hub.ReportAsync("2025-08-01", "2025-09-30", null, "prison", "localAuthority", "provider", "substanceGroup", "month");
        var report = await FhirOkAsync(await hub.ClientFor(HubRoles.Commissioner)
            .GetAsync($"{MeasurePath}/$evaluate-measure?periodStart=2025-08-01&periodEnd=2025-09-30"));

        Assert.Equal(("MeasureReport", "complete", "summary"),
            (report.GetProperty("resourceType").GetString(), report.GetProperty("status").GetString(), report.GetProperty("type").GetString()));
        Assert.StartsWith("https://continuityhub.example.org/Measure/continuity-of-care-21-days", report.GetProperty("measure").GetString());
        Assert.Equal(("2025-08-01", "2025-09-30"),
            (report.GetProperty("period").GetProperty("start").GetString(), report.GetProperty("period").GetProperty("end").GetString()));
        var group = report.GetProperty("group")[0];
        AssertAgrees(json, group.GetProperty("population"), group.TryGetProperty("measureScore", out var score) ? score : null);
        Assert.Equal(new Dictionary<string, int> { ["initial-population"] = 4, ["denominator"] = 4, ["denominator-exclusion"] = 1, ["numerator"] = 1 },
            Populations(group.GetProperty("population")));
        Assert.Equal(0.3333m, group.GetProperty("measureScore").GetProperty("value").GetDecimal()); // 1 engaged of 3 decided

        var strata = group.GetProperty("stratifier").EnumerateArray()
            .SelectMany(s => s.GetProperty("stratum").EnumerateArray().Select(st => (By: s.GetProperty("code")[0].GetProperty("coding")[0].GetProperty("code").GetString()!, Stratum: st)))
            .ToList();
        var groups = json.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(groups.Count, strata.Count);
        foreach (var (jsonGroup, (by, stratum)) in groups.Zip(strata))
        {
            Assert.Equal(jsonGroup.GetProperty("by").GetString(), by);
            Assert.Equal(jsonGroup.GetProperty("key").GetString(), stratum.GetProperty("value").GetProperty("coding")[0].GetProperty("code").GetString());
            AssertAgrees(jsonGroup, stratum.GetProperty("population"), stratum.TryGetProperty("measureScore", out var s) ? s : null);
        }
    }

    /// <summary>initial-population = cohort, denominator = cohort − pending, denominator-exclusion = excluded, numerator = engaged, score = rate.</summary>
    private static void AssertAgrees(JsonElement json, JsonElement populations, JsonElement? score)
    {
        var counts = Populations(populations);
        Assert.Equal(json.GetProperty("cohort").GetInt32(), counts["initial-population"]);
        Assert.Equal(json.GetProperty("cohort").GetInt32() - json.GetProperty("pending").GetInt32(), counts["denominator"]);
        Assert.Equal(json.GetProperty("excluded").GetInt32(), counts["denominator-exclusion"]);
        Assert.Equal(json.GetProperty("engaged").GetInt32(), counts["numerator"]);
        // The proportion: numerator / (denominator − exclusions) = engaged / (engaged + notEngaged) = rate.
        Assert.Equal(json.GetProperty("engaged").GetInt32() + json.GetProperty("notEngaged").GetInt32(), counts["denominator"] - counts["denominator-exclusion"]);
        if (json.GetProperty("rate").ValueKind == JsonValueKind.Null) Assert.Null(score);
        else Assert.Equal(json.GetProperty("rate").GetDecimal(), score!.Value.GetProperty("value").GetDecimal());
    }

    [Fact]
    public async Task Evaluate_measure_is_for_commissioners_and_admins_and_names_every_bad_parameter_in_an_OperationOutcome()
    {
        foreach (var client in new[] { hub.ClientFor(HubRoles.Probation, pdus: ["*"]), hub.ClientFor(HubRoles.TreatmentProvider, ods: NorthProvider), hub.PrisonClient("ONI") })
            await OutcomeAsync(await client.GetAsync($"{MeasurePath}/$evaluate-measure"), HttpStatusCode.Forbidden, "forbidden");
        await FhirOkAsync(await hub.ClientFor(HubRoles.Admin).GetAsync($"{MeasurePath}/$evaluate-measure?stratifier=month"));

        var issue = await OutcomeAsync(await hub.ClientFor(HubRoles.Commissioner)
            .GetAsync($"{MeasurePath}/$evaluate-measure?periodStart=2025-13-01&periodEnd=yesterday&reportType=subject-list&stratifier=ward&subject=Patient/1"),
            HttpStatusCode.BadRequest, "invalid");
        var expressions = issue.GetProperty("expression").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["subject", "reportType", "periodStart", "periodEnd", "stratifier"], expressions);

        var reversed = await OutcomeAsync(await hub.ClientFor(HubRoles.Commissioner)
            .GetAsync($"{MeasurePath}/$evaluate-measure?periodStart=2026-04-01&periodEnd=2025-03-31"), HttpStatusCode.BadRequest, "invalid");
        Assert.Contains("after periodEnd", reversed.GetProperty("diagnostics").GetString());
        await OutcomeAsync(await hub.ClientFor(HubRoles.Commissioner).GetAsync("/fhir/Measure/other/$evaluate-measure"), HttpStatusCode.NotFound, "not-found");
    }
}
