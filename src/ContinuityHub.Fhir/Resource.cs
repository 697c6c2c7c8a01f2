using System.Text.Json.Serialization;

namespace ContinuityHub.Fhir;

/// <summary>Base of the R4 resources this library models (named as in the Firely SDK so a later move is mechanical).</summary>
public abstract class Resource
{
    /// <summary>Written as <c>resourceType</c>, first (FhirJson renames it: attributes on an abstract member are not inherited by its overrides).</summary>
    public abstract string TypeName { get; }

    [JsonPropertyOrder(-99)]
    public string? Id { get; set; }

    [JsonPropertyOrder(-98)]
    public Meta? Meta { get; set; }
}

public sealed class Meta
{
    public string? VersionId { get; set; }
    public string? LastUpdated { get; set; }
}
