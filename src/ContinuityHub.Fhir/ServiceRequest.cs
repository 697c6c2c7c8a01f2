namespace ContinuityHub.Fhir;

public sealed class ServiceRequest : Resource
{
    public override string TypeName => "ServiceRequest";
    public List<Identifier>? Identifier { get; set; }
    /// <summary>draft | active | on-hold | revoked | completed | entered-in-error | unknown (required binding).</summary>
    public string? Status { get; set; }
    /// <summary>proposal | plan | directive | order | … (required binding).</summary>
    public string? Intent { get; set; }
    public List<CodeableConcept>? Category { get; set; }
    public CodeableConcept? Code { get; set; }
    public ResourceReference? Subject { get; set; }
    /// <summary>The choice element occurrence[x] as a Period.</summary>
    public Period? OccurrencePeriod { get; set; }
    public string? AuthoredOn { get; set; }
    public ResourceReference? Requester { get; set; }
    public List<ResourceReference>? Performer { get; set; }
    public List<CodeableConcept>? ReasonCode { get; set; }
    public List<ResourceReference>? SupportingInfo { get; set; }
    public List<Annotation>? Note { get; set; }
}
