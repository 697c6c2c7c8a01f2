using ContinuityHub.Features.Measure;
using ContinuityHub.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContinuityHub.Features.Dashboard;

/// <summary>
/// <c>/dashboard</c> (issue #5 item 5): the engagement measure at a glance for commissioners, from the same
/// <see cref="EngagementReportService"/> as the JSON report. The page is <c>Pages/Dashboard</c>; its CSV
/// download is here. Aggregate figures only, so nothing here reads a person's record.
/// </summary>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard";

    /// <summary>Every breakdown the page shows; month drives the trend chart.</summary>
    public static readonly IReadOnlyList<string> Breakdowns =
        [ReportGroupings.Month, ReportGroupings.Prison, ReportGroupings.LocalAuthority, ReportGroupings.Provider, ReportGroupings.SubstanceGroup];

    public static void MapDashboard(this IEndpointRouteBuilder app) =>
        app.MapGet(Path + "/engagement.csv", DownloadAsync)
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Commissioner, HubRoles.Admin))
            .AddEndpointFilter(async (context, next) =>
            {
                context.HttpContext.Response.Headers.CacheControl = "no-store";
                return await next(context);
            });

    private static async Task<Results<FileContentHttpResult, BadRequest>> DownloadAsync(HttpContext context, EngagementReportService reports,
        TimeProvider clock, CancellationToken ct)
    {
        var (query, _) = Parse(context.Request.Query["from"], context.Request.Query["to"], clock);
        // The page's link always carries a valid period; anything else is the 400 page.
        if (query is null) return TypedResults.BadRequest();
        var report = await reports.ComputeAsync(query, ct);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(EngagementReportCsv.Write(report)), "text/csv; charset=utf-8",
            EngagementReportCsv.FileName(report));
    }

    /// <summary>The dashboard takes a period (from, to; default the current financial year) and shows every breakdown.</summary>
    public static (EngagementReportQuery? Query, List<ReportPeriod.Problem> Problems) Parse(string? from, string? to, TimeProvider clock) =>
        ReportPeriod.Parse(("from", NullIfEmpty(from)), ("to", NullIfEmpty(to)), ("asOf", null), ("groupBy", Breakdowns.ToArray<string?>()), clock);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
