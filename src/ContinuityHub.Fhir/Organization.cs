namespace ContinuityHub.Fhir;

public sealed class Organization : Resource
{
    public override string TypeName => "Organization";
    public List<Identifier>? Identifier { get; set; }
    public bool? Active { get; set; }
    public string? Name { get; set; }
    public List<ContactPoint>? Telecom { get; set; }
}
