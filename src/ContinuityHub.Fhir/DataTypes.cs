namespace ContinuityHub.Fhir;

// R4 data types used by the hub's resources, named as in the Firely SDK.

public sealed class Identifier
{
    public string? System { get; set; }
    public string? Value { get; set; }
}

public sealed class Coding
{
    public string? System { get; set; }
    public string? Code { get; set; }
    public string? Display { get; set; }
}

public sealed class CodeableConcept
{
    public List<Coding>? Coding { get; set; }
    public string? Text { get; set; }
}

/// <summary>FHIR "Reference" (Firely: ResourceReference).</summary>
public sealed class ResourceReference
{
    public string? Reference { get; set; }
    public string? Type { get; set; }
    public Identifier? Identifier { get; set; }
    public string? Display { get; set; }
}

public sealed class Period
{
    /// <summary>A FHIR dateTime: yyyy-MM-dd or a full instant.</summary>
    public string? Start { get; set; }
    public string? End { get; set; }
}

public sealed class Annotation
{
    public string? Text { get; set; }
}

public sealed class HumanName
{
    public string? Use { get; set; }
    public string? Family { get; set; }
    public List<string>? Given { get; set; }
}

public sealed class ContactPoint
{
    public string? System { get; set; }
    public string? Value { get; set; }
}

public sealed class Quantity
{
    public decimal? Value { get; set; }
    public string? Unit { get; set; }
    public string? System { get; set; }
    public string? Code { get; set; }
}
