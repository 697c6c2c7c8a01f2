using System.Text.Json;
using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace ContinuityHub.Tests.Fhir;

/// <summary>
/// Validates FHIR JSON as a FHIR client would receive it, with the Firely validator (Firely.Fhir.Validation.R4)
/// against the R4 (4.0.1) core StructureDefinitions shipped in Hl7.Fhir.Specification.Data.R4's specification.zip:
/// first Firely's strict parser (FHIR's JSON rules: known resource types and elements, no nulls, no empty arrays
/// or strings, right primitive types), then the profiles (cardinality, types, invariants such as bdl-* and
/// ref-1, and the required bindings to value sets defined in the core specification, expanded offline by
/// <see cref="LocalTerminologyService"/>). Bindings to external code systems (SNOMED CT, UCUM) cannot be
/// checked offline and give warnings, never errors; none of the hub's required bindings is one of those.
/// Independent of the hub's own FHIR code, so a mistake there cannot hide a mistake here.
/// </summary>
public static class FhirValidator
{
    private static readonly JsonSerializerOptions Strict = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);
    private static readonly Lazy<Validator> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    // The validator caches compiled profiles as it goes; one validation at a time keeps that simple and safe.
    private static readonly Lock Gate = new();

    private static Validator Create()
    {
        var source = new CachedResolver(ZipSource.CreateValidationSource()).AsAsync();
        return new Validator(source, LocalTerminologyService.CreateDefaultForCore(source));
    }

    /// <returns>The errors of each resource, in order (empty when valid), each as "FHIRPath: message".</returns>
    public static IReadOnlyList<IReadOnlyList<string>> Validate(IEnumerable<string> resourcesJson) => resourcesJson.Select(Validate).ToList();

    public static IReadOnlyList<string> Validate(string json)
    {
        Resource? resource;
        try
        {
            resource = JsonSerializer.Deserialize<Resource>(json, Strict);
        }
        catch (DeserializationFailedException e)
        {
            // The parser places a missing mandatory element at "$this" (e.g. "$this.subject"): name the resource instead.
            var root = e.PartialResult?.TypeName ?? "(root)";
            return e.ToOperationOutcome().Issue.Select(Describe).Select(error => error.StartsWith("$this", StringComparison.Ordinal) ? root + error[5..] : error).ToList();
        }
        if (resource is null) return ["(root): not a FHIR resource"];

        OperationOutcome outcome;
        lock (Gate) outcome = Instance.Value.Validate(resource);
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(Describe).ToList();
    }

    private static string Describe(OperationOutcome.IssueComponent issue) =>
        $"{string.Join(", ", issue.Expression ?? [])}: {issue.Details?.Text ?? issue.Diagnostics}";
}
