namespace ContinuityHub.Fhir;

/// <summary>R4 Task (Firely: Hl7.Fhir.Model.Task). Use an alias where System.Threading.Tasks is in scope.</summary>
public sealed class Task : Resource
{
    public override string TypeName => "Task";
    public List<Identifier>? Identifier { get; set; }
    /// <summary>draft | requested | received | accepted | rejected | ready | cancelled | in-progress | on-hold | failed | completed | entered-in-error.</summary>
    public string? Status { get; set; }
    public CodeableConcept? StatusReason { get; set; }
    public CodeableConcept? BusinessStatus { get; set; }
    /// <summary>unknown | proposal | plan | order | … (required binding).</summary>
    public string? Intent { get; set; }
    public CodeableConcept? Code { get; set; }
    public ResourceReference? Focus { get; set; }
    public ResourceReference? For { get; set; }
    public Period? ExecutionPeriod { get; set; }
    public string? AuthoredOn { get; set; }
    public string? LastModified { get; set; }
    public ResourceReference? Requester { get; set; }
    public ResourceReference? Owner { get; set; }
    public RestrictionComponent? Restriction { get; set; }

    public sealed class RestrictionComponent
    {
        public Period? Period { get; set; }
    }
}
