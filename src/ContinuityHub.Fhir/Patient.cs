namespace ContinuityHub.Fhir;

public sealed class Patient : Resource
{
    public override string TypeName => "Patient";
    public List<Identifier>? Identifier { get; set; }
    public List<HumanName>? Name { get; set; }
    /// <summary>male | female | other | unknown (required binding).</summary>
    public string? Gender { get; set; }
    public string? BirthDate { get; set; }
}
