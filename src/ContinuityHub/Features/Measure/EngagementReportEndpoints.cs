using ContinuityHub.Security;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Features.Measure;

/// <summary>
/// <c>GET /api/v1/reports/engagement?from=&amp;to=&amp;asOf=&amp;groupBy=…</c> (contract §7): the measure as JSON, or
/// as CSV with <c>Accept: text/csv</c> (or <c>format=csv</c>, for a plain download link). COMMISSIONER and
/// ADMIN only; it holds counts, never a person's data.
/// </summary>
public static class EngagementReportEndpoints
{
    public static readonly IReadOnlyList<string> Parameters = ["from", "to", "asOf", "groupBy", "format"];

    public static void AddEngagementReport(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<MeasureOptions>(builder.Configuration.GetSection(MeasureOptions.Section));
        builder.Services.AddScoped<EngagementReportService>();
    }

    public static void MapEngagementReport(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/reports/engagement", GetAsync)
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Commissioner, HubRoles.Admin))
            .WithTags("Reports")
            .WithSummary("The 21-day continuity-of-care measure, as JSON or CSV")
            .Produces<EngagementReport>(StatusCodes.Status200OK, "application/json", EngagementReportCsv.MediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> GetAsync(HttpContext context, EngagementReportService reports, TimeProvider clock, CancellationToken ct)
    {
        var query = context.Request.Query;
        var problems = query.Keys.Where(k => !Parameters.Contains(k))
            .Select(k => new ReportPeriod.Problem(ReportPeriod.Cut(k), $"'{ReportPeriod.Cut(k)}' is not a parameter of this report; use {string.Join(", ", Parameters)}."))
            .ToList();
        var format = Single(query, "format");
        if (format is not null && format is not ("csv" or "json"))
            problems.Add(new("format", $"format '{ReportPeriod.Cut(format)}' is not csv or json."));
        foreach (var name in new[] { "from", "to", "asOf" }.Where(n => query[n].Count > 1))
            problems.Add(new(name, $"{name} is given more than once."));
        var (report, parameterProblems) = ReportPeriod.Parse(("from", Single(query, "from")), ("to", Single(query, "to")),
            ("asOf", Single(query, "asOf")), ("groupBy", query["groupBy"].ToArray()), clock);
        problems.AddRange(parameterProblems);
        if (problems.Count > 0 || report is null) return Invalid(problems);

        var result = await reports.ComputeAsync(report, ct);
        var csv = format == "csv" || (format is null && WantsCsv(context.Request));
        if (!csv) return TypedResults.Ok(result);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(EngagementReportCsv.Write(result)), "text/csv; charset=utf-8",
            EngagementReportCsv.FileName(result));
    }

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) ? values[0] : null;

    /// <summary>CSV when the client asks for text/csv at least as much as for JSON (a browser's */* alone stays JSON).</summary>
    private static bool WantsCsv(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        double Quality(string mediaType) => accept.Where(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Quality ?? 1).DefaultIfEmpty(-1).Max();
        var csv = Quality(EngagementReportCsv.MediaType);
        return csv > 0 && csv >= Quality("application/json");
    }

    /// <summary>400 naming every bad parameter (RFC 9457 with an <c>errors</c> list, as the other endpoints answer).</summary>
    private static IResult Invalid(IReadOnlyList<ReportPeriod.Problem> problems) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Type = "https://continuityhub.example.org/problems/invalid-parameters",
            Title = "The report's parameters are not valid.",
            Detail = $"{problems.Count} problem(s) with: {string.Join(", ", problems.Select(p => p.Parameter).Distinct())}.",
            Extensions = { ["errors"] = problems.Select(p => new { parameter = p.Parameter, detail = p.Detail }).ToList() },
        });
}
