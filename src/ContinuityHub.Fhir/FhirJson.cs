using System.Text.Json;
using System.Text.Json.Serialization;

namespace ContinuityHub.Fhir;

/// <summary>System.Text.Json options that follow FHIR's JSON rules (camelCase, no nulls).</summary>
public static class FhirJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };
}
