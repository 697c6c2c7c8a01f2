using ContinuityHub.Features.Measure;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContinuityHub.Features.Dashboard;

/// <summary>
/// <c>/dashboard</c> (issue #5 item 5): the engagement measure at a glance for commissioners, server-rendered
/// from the same <see cref="EngagementReportService"/> as the JSON report, and its CSV download. Signed in
/// with the UI's cookie session (contract §3); aggregate figures only, so nothing here reads a person's record.
/// </summary>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard";

    /// <summary>Every breakdown the page shows; month drives the trend chart.</summary>
    public static readonly IReadOnlyList<string> Breakdowns =
        [ReportGroupings.Month, ReportGroupings.Prison, ReportGroupings.LocalAuthority, ReportGroupings.Provider, ReportGroupings.SubstanceGroup];

    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        var dashboard = app.MapGroup(Path)
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Commissioner, HubRoles.Admin))
            .NotCached();
        dashboard.MapGet("", ShowAsync);
        dashboard.MapGet("/engagement.csv", DownloadAsync);
    }

    private static async Task<ContentHttpResult> ShowAsync(HttpContext context, EngagementReportService reports, TimeProvider clock, CancellationToken ct)
    {
        var (query, problems) = Parse(context.Request.Query, clock);
        var user = context.User.Identity?.Name;
        if (query is null)
            return HtmlPage.Result("Engagement dashboard", DashboardPage.Problems(context, problems), user, StatusCodes.Status400BadRequest);
        var report = await reports.ComputeAsync(query, ct);
        return HtmlPage.Result("Engagement dashboard", DashboardPage.Render(context, report), user);
    }

    private static async Task<Results<FileContentHttpResult, ContentHttpResult>> DownloadAsync(HttpContext context, EngagementReportService reports,
        TimeProvider clock, CancellationToken ct)
    {
        var (query, problems) = Parse(context.Request.Query, clock);
        if (query is null)
            return HtmlPage.Result("Engagement dashboard", DashboardPage.Problems(context, problems), context.User.Identity?.Name, StatusCodes.Status400BadRequest);
        var report = await reports.ComputeAsync(query, ct);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(EngagementReportCsv.Write(report)), "text/csv; charset=utf-8",
            EngagementReportCsv.FileName(report));
    }

    /// <summary>The page takes a period (from, to; default the current financial year) and shows every breakdown.</summary>
    private static (EngagementReportQuery? Query, List<ReportPeriod.Problem> Problems) Parse(IQueryCollection query, TimeProvider clock)
    {
        static string? Value(IQueryCollection query, string name) => query.TryGetValue(name, out var values) && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
        return ReportPeriod.Parse(("from", Value(query, "from")), ("to", Value(query, "to")), ("asOf", null),
            ("groupBy", Breakdowns.ToArray<string?>()), clock);
    }
}
