using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using static ContinuityHub.Tests.Reports.MeasureScenarios;

namespace ContinuityHub.Tests.Reports;

/// <summary>
/// The report endpoint (contract §7, issue #5 item 2): shape, labels, breakdowns, CSV, roles, bad parameters.
/// Every test releases into a month of its own and asks for that month, so tests sharing the hub never see
/// each other's episodes. The test clock is 2026-11-22 (Europe/London).
/// </summary>
public sealed class EngagementReportTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task The_report_has_the_contract_shape_with_totals_bounds_and_labelled_breakdowns()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        var engaged = await hub.ReleasedAsync("2025-05-06", prison: "ONI");
        await hub.EngageAsync(engaged, "2025-05-20");
        await hub.ReleasedAsync("2025-05-07", prison: "WDI", postcode: "NN1 1AA", substances: ["alcohol"]); // never engages: not engaged
        var excluded = await hub.ReleasedAsync("2025-06-02", prison: "ONI", substances: ["cocaine", "alcohol"]);
        await hub.AdmittedAsync(excluded.Noms, "2025-06-10");

        var report = await hub.ReportAsync("2025-05-01", "2025-06-30", "2026-11-22", "prison", "month");

        Assert.Equal("continuity-of-care-21-days", report.GetProperty("measure").GetString());
        Assert.Equal(("2025-05-01", "2025-06-30", "2026-11-22"),
            (report.GetProperty("from").GetString(), report.GetProperty("to").GetString(), report.GetProperty("asOf").GetString()));
        Assert.Equal(21, report.GetProperty("windowDays").GetInt32());
        Assert.Equal(0.75m, report.GetProperty("target").GetDecimal());
        Assert.Equal((3, 1, 1, 0, 1), Totals(report));
        Assert.Equal(1, report.GetProperty("exclusions").GetProperty("returnedToCustody").GetInt32());
        Assert.Equal(0, report.GetProperty("exclusions").GetProperty("died").GetInt32());
        Assert.Equal(0.5m, report.GetProperty("rate").GetDecimal());
        Assert.False(report.GetProperty("meetsTarget").GetBoolean());
        Assert.Equal(0.5m, report.GetProperty("rateIfAllPendingEngage").GetDecimal());
        Assert.Equal(0.5m, report.GetProperty("rateIfNoPendingEngage").GetDecimal());

        var oni = Group(report, "prison", "ONI");
        Assert.Equal("HMP Onley", oni.GetProperty("label").GetString());
        Assert.Equal((2, 1, 0, 0, 1), Totals(oni));
        Assert.Equal(1m, oni.GetProperty("rate").GetDecimal());
        Assert.Equal((1, 0, 1, 0, 0), Totals(Group(report, "prison", "WDI")));
        var may = Group(report, "month", "2025-05");
        Assert.Equal("May 2025", may.GetProperty("label").GetString());
        Assert.Equal((2, 1, 1, 0, 0), Totals(may));
        Assert.Equal((1, 0, 0, 0, 1), Totals(Group(report, "month", "2025-06")));
        Assert.Equal(JsonValueKind.Null, Group(report, "month", "2025-06").GetProperty("rate").ValueKind);
        // Prisons come first (the order asked), then months; no person data anywhere.
        Assert.Equal("prison", report.GetProperty("groups")[0].GetProperty("by").GetString());
        Assert.DoesNotContain(engaged.Noms, report.GetRawText());
    }

    [Fact]
    public async Task Accept_text_csv_gives_a_header_a_total_row_and_one_row_per_group_with_the_JSON_numbers()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        await hub.EngageAsync(await hub.ReleasedAsync("2025-07-07", prison: "RHI"), "2025-07-08");
        await hub.ReleasedAsync("2025-07-08", prison: "RHI", substances: ["opiates"]);
        var path = ReportPath("2025-07-01", "2025-07-31", "2026-11-22", ["prison", "substanceGroup"]);
        var json = await hub.ReportAsync("2025-07-01", "2025-07-31", "2026-11-22", "prison", "substanceGroup");

        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/csv");
        var response = await hub.ClientFor(HubRoles.Commissioner).SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("engagement-2025-07-01-to-2025-07-31-as-of-2026-11-22.csv", response.Content.Headers.ContentDisposition?.ToString());
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("by,key,label,cohort,engaged,notEngaged,pending,excluded,rate", lines[0]);
        Assert.Equal("total,total,All releases 2025-07-01 to 2025-07-31 as of 2026-11-22,2,1,1,0,0,0.5000", lines[1]);
        var groups = json.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(groups.Count + 2, lines.Length);
        foreach (var (group, line) in groups.Zip(lines.Skip(2)))
        {
            var rate = group.GetProperty("rate").ValueKind == JsonValueKind.Null ? "" : group.GetProperty("rate").GetDecimal().ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(string.Join(",", group.GetProperty("by").GetString(), group.GetProperty("key").GetString(), group.GetProperty("label").GetString(),
                group.GetProperty("cohort").GetInt32(), group.GetProperty("engaged").GetInt32(), group.GetProperty("notEngaged").GetInt32(),
                group.GetProperty("pending").GetInt32(), group.GetProperty("excluded").GetInt32(), rate), line);
        }
        Assert.Contains("substanceGroup,opiate,Opiate,2,1,1,0,0,0.5000", lines);
        Assert.Contains("substanceGroup,alcohol-only,Alcohol only,0,0,0,0,0,", lines);
        Assert.Contains("prison,RHI,HMP Rye Hill,2,1,1,0,0,0.5000", lines);

        // format=csv for a plain download link, whatever the browser's Accept header says.
        var download = await hub.ClientFor(HubRoles.Admin).GetAsync(path + "&format=csv");
        Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(lines, (await download.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Only_commissioners_and_admins_may_read_the_report()
    {
        var path = ReportPath("2025-07-01", "2025-07-31", null, []);
        Assert.Equal(HttpStatusCode.OK, (await hub.ClientFor(HubRoles.Commissioner).GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hub.ClientFor(HubRoles.Admin).GetAsync(path)).StatusCode);
        foreach (var client in new[]
                 {
                     hub.ClientFor(HubRoles.Probation, pdus: ["*"]), hub.ClientFor(HubRoles.TreatmentProvider, ods: NorthProvider),
                     hub.PrisonClient("ONI"), hub.ClientFor(HubRoles.EventFeed),
                 })
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await hub.CreateClient().GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Bad_parameters_are_a_400_problem_naming_every_one()
    {
        var response = await hub.ClientFor(HubRoles.Commissioner).GetAsync(
            "/api/v1/reports/engagement?from=2025-02-30&to=31/03/2026&asOf=soon&groupBy=ward&groupBy=prison&groupBy=prison&grouBy=month&format=xml");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray()
            .Select(e => (Parameter: e.GetProperty("parameter").GetString()!, Detail: e.GetProperty("detail").GetString()!)).ToList();
        Assert.Equal(["grouBy", "format", "from", "to", "asOf", "groupBy", "groupBy"], errors.Select(e => e.Parameter).ToArray());
        Assert.Contains("ward", errors[5].Detail);
        Assert.Contains("more than once", errors[6].Detail);

        var reversed = await hub.ClientFor(HubRoles.Commissioner).GetAsync("/api/v1/reports/engagement?from=2026-04-01&to=2025-03-31");
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        Assert.Contains("is after to", (await reversed.Content.ReadAsStringAsync()));
        var tooLong = await hub.ClientFor(HubRoles.Commissioner).GetAsync("/api/v1/reports/engagement?from=1900-01-01&to=2026-03-31");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Fact]
    public async Task Every_grouping_labels_its_keys_from_the_mappings_and_unknowns_are_not_recorded()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        await hub.ReleasedAsync("2025-10-06", prison: "WDI", postcode: "NN1 1AA", substances: ["cocaine"]);
        await hub.ReleasedAsync("2025-10-07", prison: "WDI", postcode: "NN17 1AA", substances: ["alcohol"]);
        var unrouted = await hub.ReleasedAsync("2025-10-08", prison: "ONI", substances: ["opiates"]);
        TestPostgres.Execute(hub.ConnectionString, $"UPDATE episodes SET local_authority_code = NULL, provider_ods = NULL WHERE id = '{unrouted.EpisodeId}'");

        var report = await hub.ReportAsync("2025-10-01", "2025-10-31", null, "localAuthority", "provider", "substanceGroup");

        Assert.Equal("West Northamptonshire", Group(report, "localAuthority", "E06000062").GetProperty("label").GetString());
        Assert.Equal(1, Group(report, "localAuthority", "E06000062").GetProperty("cohort").GetInt32());
        Assert.Equal("Not recorded", Group(report, "localAuthority", "unknown").GetProperty("label").GetString());
        Assert.Equal(1, Group(report, "provider", "unknown").GetProperty("cohort").GetInt32());
        Assert.Contains("North Northamptonshire", Group(report, "provider", "EXS2SN").GetProperty("label").GetString());
        Assert.Equal(("Non-opiate only", 1), (Group(report, "substanceGroup", "non-opiate-only").GetProperty("label").GetString(),
            Group(report, "substanceGroup", "non-opiate-only").GetProperty("cohort").GetInt32()));
        Assert.Equal("Non-opiate and alcohol", Group(report, "substanceGroup", "non-opiate-and-alcohol").GetProperty("label").GetString());
        // Unknown keys sort last within their grouping.
        Assert.Equal("unknown", report.GetProperty("groups").EnumerateArray().Last(g => g.GetProperty("by").GetString() == "provider").GetProperty("key").GetString());
    }
}

/// <summary>Hub:Measure:Target is configuration (contract §7: 0.75, configurable).</summary>
public sealed class MeasureTargetTests
{
    private sealed class HubWithTarget : HubFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Hub:Measure:Target", "0.5");
        }
    }

    [Fact]
    public async Task The_target_comes_from_configuration_and_decides_meetsTarget()
    {
        await using var hub = new HubWithTarget();
        await hub.EngageAsync(await hub.ReleasedAsync("2025-07-07"), "2025-07-08");
        await hub.ReleasedAsync("2025-07-08");

        var report = await hub.ReportAsync("2025-07-01", "2025-07-31");

        Assert.Equal(0.5m, report.GetProperty("target").GetDecimal());
        Assert.Equal(0.5m, report.GetProperty("rate").GetDecimal());
        Assert.True(report.GetProperty("meetsTarget").GetBoolean());
        var measure = await (await hub.ClientFor(HubRoles.Commissioner).GetAsync("/fhir/Measure/continuity-of-care-21-days")).Content.ReadAsStringAsync();
        Assert.Contains("The target is 0.5", measure);
    }
}
