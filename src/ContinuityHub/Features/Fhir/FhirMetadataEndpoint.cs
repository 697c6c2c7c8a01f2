using ContinuityHub.Fhir;

namespace ContinuityHub.Features.Fhir;

/// <summary>
/// <c>GET /fhir/metadata</c>: what this server really supports (a test compares it with the mapped routes).
/// Public, as FHIR clients read it before they authenticate.
/// </summary>
public static class FhirMetadataEndpoint
{
    /// <summary>Resource type → the interactions the hub serves for it.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Supported = new Dictionary<string, string[]>
    {
        ["ServiceRequest"] = ["read", "search-type"],
        ["Task"] = ["read", "update", "search-type"],
        ["Patient"] = ["read"],
        ["Organization"] = ["read"],
        ["ConceptMap"] = ["read"],
        ["Measure"] = ["read"],
    };

    /// <summary>Resource type → the operations the hub serves on it (name, OperationDefinition).</summary>
    public static readonly IReadOnlyDictionary<string, (string Name, string Definition)[]> Operations = new Dictionary<string, (string, string)[]>
    {
        ["Measure"] = [(Measure.MeasureFhirEndpoints.EvaluateMeasure, Measure.MeasureFhirEndpoints.EvaluateMeasureDefinition)],
    };

    public static void MapFhirMetadata(this IEndpointRouteBuilder app) =>
        app.MapGet("/fhir/metadata", () => FhirReadEndpoints.Resource(Statement(), null)).AllowAnonymous().WithTags("FHIR");

    public static CapabilityStatement Statement() => new()
    {
        Name = "ContinuityHub",
        Title = "ContinuityHub referrals from prison to community substance misuse treatment",
        Status = "active",
        Date = "2026-11-22",
        Kind = "instance",
        FhirVersion = "4.0.1",
        Format = ["application/fhir+json"],
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = "server",
                Resource = Supported.Select(s => new CapabilityStatement.ResourceComponent
                {
                    Type = s.Key,
                    Interaction = s.Value.Select(code => new CapabilityStatement.InteractionComponent { Code = code }).ToList(),
                    Versioning = s.Value.Contains("update") ? "versioned-update" : "versioned",
                    SearchParam = FhirSearchEndpoints.Parameters.TryGetValue(s.Key, out var parameters)
                        ? parameters.Select(p => new CapabilityStatement.SearchParamComponent { Name = p.Name, Type = p.Type })
                            .Append(new CapabilityStatement.SearchParamComponent { Name = "_count", Type = "number" }).ToList()
                        : null,
                    Operation = Operations.TryGetValue(s.Key, out var operations)
                        ? operations.Select(o => new CapabilityStatement.OperationComponent { Name = o.Name, Definition = o.Definition }).ToList()
                        : null,
                }).ToList(),
            },
        ],
    };
}
