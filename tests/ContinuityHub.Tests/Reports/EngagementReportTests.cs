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
}
