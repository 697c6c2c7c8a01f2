using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

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

    public static void MapFhirMetadata(this IEndpointRouteBuilder fhir) =>
        fhir.MapGet("/metadata", () => FhirReadEndpoints.Resource(Statement(), null)).AllowAnonymous();

    public static CapabilityStatement Statement() => new()
    {
        Name = "ContinuityHub",
        Title = "ContinuityHub referrals from prison to community substance misuse treatment",
        Status = PublicationStatus.Active,
        Date = "2026-11-22",
        Kind = CapabilityStatementKind.Instance,
        // An instance statement names its implementation (invariant cpb-14), which also meets cpb-2.
        Software = new CapabilityStatement.SoftwareComponent { Name = "ContinuityHub" },
        Implementation = new CapabilityStatement.ImplementationComponent { Description = "ContinuityHub FHIR R4 API for prison-to-community treatment referrals" },
        FhirVersion = FHIRVersion.N4_0_1,
        Format = [FhirJson.MediaType],
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Resource = Supported.Select(s => new CapabilityStatement.ResourceComponent
                {
                    Type = s.Key,
                    Interaction = s.Value.Select(code => new CapabilityStatement.ResourceInteractionComponent { Code = Literal<CapabilityStatement.TypeRestfulInteraction>(code) }).ToList(),
                    Versioning = s.Value.Contains("update") ? CapabilityStatement.ResourceVersionPolicy.VersionedUpdate : CapabilityStatement.ResourceVersionPolicy.Versioned,
                    SearchParam = FhirSearchEndpoints.Parameters.TryGetValue(s.Key, out var parameters)
                        ? parameters.Select(p => new CapabilityStatement.SearchParamComponent { Name = p.Name, Type = Literal<SearchParamType>(p.Type) })
                            .Append(new CapabilityStatement.SearchParamComponent { Name = "_count", Type = SearchParamType.Number }).ToList()
                        : [],
                    Operation = Operations.TryGetValue(s.Key, out var operations)
                        ? operations.Select(o => new CapabilityStatement.OperationComponent { Name = o.Name, Definition = o.Definition }).ToList()
                        : [],
                }).ToList(),
            },
        ],
    };

    private static T Literal<T>(string code) where T : struct, Enum =>
        EnumUtility.ParseLiteral<T>(code) ?? throw new InvalidOperationException($"'{code}' is not a {typeof(T).Name} code.");
}
