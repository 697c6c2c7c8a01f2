using ContinuityHub.Features.Fhir;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Measure;

/// <summary>
/// The measure under /fhir (contract §7): <c>GET /fhir/Measure/continuity-of-care-21-days</c>, the definition,
/// readable by any signed-in role (it holds no data); and
/// <c>GET /fhir/Measure/continuity-of-care-21-days/$evaluate-measure?periodStart=&amp;periodEnd=</c>, a summary
/// MeasureReport computed by <see cref="EngagementReportService"/> (so it agrees with the JSON report), for
/// COMMISSIONER and ADMIN only, as the JSON report. Every refusal is an OperationOutcome.
/// </summary>
public static class MeasureFhirEndpoints
{
    public const string EvaluateMeasure = "evaluate-measure";
    public const string EvaluateMeasureDefinition = "http://hl7.org/fhir/OperationDefinition/Measure-evaluate-measure";

    /// <summary>The $evaluate-measure parameters served: the period, the report type (summary only) and the hub's stratifier selection.</summary>
    public static readonly IReadOnlyList<string> Parameters = ["periodStart", "periodEnd", "reportType", "stratifier"];

    /// <summary>Maps the Measure read and $evaluate-measure on the /fhir group (<see cref="Fhir.FhirApi"/>).</summary>
    public static void MapMeasureFhir(this IEndpointRouteBuilder fhir)
    {
        fhir.MapGet("/Measure/{id}", (string id, IOptions<MeasureOptions> options) =>
            id == ContinuityMeasure.Id ? FhirReadEndpoints.Resource(ContinuityMeasure.Definition(options.Value.Target), ContinuityMeasure.Version) : NotFound(id));
        // The role rule is the JSON report's (aggregate reports, contract §3); the refusal is an OperationOutcome (FhirProblemWriter).
        fhir.MapGet("/Measure/{id}/$evaluate-measure", EvaluateAsync).RequireAuthorization(policy => policy.RequireRole(HubRoles.Commissioner, HubRoles.Admin));
    }

    private static async Task<IResult> EvaluateAsync(string id, HttpContext context, EngagementReportService reports, ReferenceData mappings,
        TimeProvider clock, CancellationToken ct)
    {
        if (id != ContinuityMeasure.Id) return NotFound(id);

        var query = context.Request.Query;
        var problems = query.Keys.Where(k => !Parameters.Contains(k))
            .Select(k => new ReportPeriod.Problem(ReportPeriod.Cut(k), $"'{ReportPeriod.Cut(k)}' is not supported; supported: {string.Join(", ", Parameters)}."))
            .ToList();
        if (query.TryGetValue("reportType", out var reportType) && reportType.Any(t => t != "summary"))
            problems.Add(new("reportType", "Only reportType=summary is supported (the hub reports counts, never people)."));
        foreach (var name in new[] { "periodStart", "periodEnd" }.Where(n => query[n].Count > 1))
            problems.Add(new(name, $"{name} is given more than once."));
        // No stratifier parameter: every stratifier the Measure defines, as $evaluate-measure does.
        var stratifiers = query.TryGetValue("stratifier", out var chosen) ? chosen.ToArray() : ReportGroupings.All.ToArray<string?>();
        var (report, parameterProblems) = ReportPeriod.Parse(("periodStart", Single(query, "periodStart")), ("periodEnd", Single(query, "periodEnd")),
            ("asOf", null), ("stratifier", stratifiers), clock);
        problems.AddRange(parameterProblems);
        if (problems.Count > 0 || report is null)
            return FhirReadEndpoints.Refusal(StatusCodes.Status400BadRequest, "invalid",
                string.Join(" ", problems.Select(p => p.Detail)), problems.Select(p => p.Parameter).Distinct().ToArray());

        var result = await reports.ComputeAsync(report, ct);
        return FhirReadEndpoints.Resource(ContinuityMeasure.Report(result, clock.GetUtcNow(), mappings), null);
    }

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) ? values[0] : null;

    private static IResult NotFound(string id) =>
        FhirReadEndpoints.Refusal(StatusCodes.Status404NotFound, "not-found", $"Measure/{ReportPeriod.Cut(id)} is not known; the hub serves Measure/{ContinuityMeasure.Id}.");
}
