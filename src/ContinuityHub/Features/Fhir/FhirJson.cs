using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace ContinuityHub.Features.Fhir;

/// <summary>
/// FHIR R4 JSON through the Firely SDK's System.Text.Json converters: the one way the hub writes and reads FHIR.
/// Firely writes elements in the specification's order and never writes nulls or empty arrays; reading is
/// strict (unknown elements, wrong types, codes outside a required binding, missing mandatory elements are
/// all errors), and every error carries the FHIRPath of the element it is about.
/// </summary>
public static class FhirJson
{
    public const string MediaType = "application/fhir+json";

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
            // FHIR JSON is served as application/fhir+json, never inlined in HTML: keep '&' in search links readable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }.ForFhir(ModelInfo.ModelInspector);
        options.MakeReadOnly();
        return options;
    }

    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, Options);

    /// <summary>
    /// Parses a resource of type <typeparamref name="T"/>. A body that is not JSON, not a FHIR resource, not a
    /// <typeparamref name="T"/>, or breaks FHIR's JSON rules gives an OperationOutcome with an issue per problem,
    /// each with its FHIRPath <c>expression</c> (the parser's, e.g. <c>Task.executionPeriod.start</c>).
    /// </summary>
    public static FhirParse<T> Parse<T>(string json) where T : Resource
    {
        var expected = ModelInfo.GetFhirTypeNameForType(typeof(T))!;
        Resource? resource;
        try
        {
            resource = JsonSerializer.Deserialize<Resource>(json, Options);
        }
        catch (DeserializationFailedException e)
        {
            var outcome = e.ToOperationOutcome();
            // Errors found before the resource type is known (a mandatory element missing) are placed at "$this".
            var root = e.PartialResult?.TypeName ?? expected;
            foreach (var issue in outcome.Issue)
                issue.Expression = (issue.Expression ?? []).Select(path => path?.StartsWith("$this", StringComparison.Ordinal) == true ? root + path["$this".Length..] : path).ToList();
            return new FhirParse<T>(null, outcome);
        }
        catch (JsonException e)
        {
            var reason = e.Message.Split([" Path:", " LineNumber:"], StringSplitOptions.None)[0];
            return Failed<T>(OperationOutcome.IssueType.Structure, $"not valid JSON at line {(e.LineNumber ?? 0) + 1}: {reason}", expected);
        }
        catch (InvalidOperationException)
        {
            // Firely's answer to a JSON value that cannot start a resource (an array, a string).
            return Failed<T>(OperationOutcome.IssueType.Structure, $"not a FHIR JSON {expected}: a resource is a JSON object.", expected);
        }
        return resource switch
        {
            T typed => new FhirParse<T>(typed, null),
            null => Failed<T>(OperationOutcome.IssueType.Structure, $"not a FHIR JSON {expected}.", expected),
            _ => Failed<T>(OperationOutcome.IssueType.Invalid, $"{resource.TypeName} given where a {expected} is expected.", $"{resource.TypeName}"),
        };
    }

    private static FhirParse<T> Failed<T>(OperationOutcome.IssueType code, string diagnostics, string expression) where T : Resource =>
        new(null, FhirOutcome.Error(code, diagnostics, expression));
}

/// <summary>A parsed resource, or the OperationOutcome that says why the body could not be parsed.</summary>
public sealed record FhirParse<T>(T? Resource, OperationOutcome? Problems) where T : Resource;
