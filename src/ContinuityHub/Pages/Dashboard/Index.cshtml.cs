using System.Globalization;
using ContinuityHub.Features.Dashboard;
using ContinuityHub.Features.Measure;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Dashboard;

/// <summary>
/// <c>/dashboard</c>: the measure against the target, the counts behind it, the trend and the breakdowns, for
/// commissioners and administrators (aggregate only).
/// </summary>
[Authorize(Roles = HubRoles.Commissioner + "," + HubRoles.Admin)]
public sealed class IndexModel(EngagementReportService reports, TimeProvider clock) : HubPageModel
{
    public static readonly (string By, string Heading)[] Tables =
    [
        (ReportGroupings.Prison, "By prison"),
        (ReportGroupings.LocalAuthority, "By local authority"),
        (ReportGroupings.Provider, "By treatment provider"),
        (ReportGroupings.SubstanceGroup, "By substance group"),
    ];

    public override string Title => "Engagement dashboard";

    public EngagementReport? Report { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] string? from, [FromQuery] string? to, CancellationToken ct)
    {
        (From, To) = (from, to);
        var (query, problems) = DashboardEndpoints.Parse(from, to, clock);
        if (query is null)
        {
            foreach (var problem in problems) Errors.Add(problem.Parameter, problem.Detail);
            return PageWithErrors();
        }
        Report = await reports.ComputeAsync(query, ct);
        (From, To) = (Report.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Report.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return Page();
    }

    /// <summary>Every month of the period, including months with no releases (shown as a gap, not as 0 %).</summary>
    public static List<TrendPoint> Months(EngagementReport report)
    {
        var byKey = report.Groups.Where(g => g.By == ReportGroupings.Month).ToDictionary(g => g.Key);
        var points = new List<TrendPoint>();
        for (var month = new DateOnly(report.From.Year, report.From.Month, 1); month <= report.To; month = month.AddMonths(1))
        {
            var group = byKey.GetValueOrDefault(ReportGroupings.MonthKey(month.Year, month.Month));
            points.Add(new TrendPoint(month.ToString("MMM yy", CultureInfo.InvariantCulture), group?.Rate, group?.Engaged ?? 0,
                (group?.Engaged ?? 0) + (group?.NotEngaged ?? 0)));
        }
        return points;
    }

    public static string People(int count) => count == 1 ? "1 person" : $"{N(count)} people";
    public static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
    public static string Rate(decimal? rate) => rate is { } r ? TrendChart.Percent(r, 1) : "–";
    public static string Day(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
}
