namespace ContinuityHub.Fhir;

public sealed class MeasureReport : Resource
{
    public override string TypeName => "MeasureReport";
    /// <summary>complete | pending | error (required binding).</summary>
    public string? Status { get; set; }
    /// <summary>individual | subject-list | summary | data-collection (required binding).</summary>
    public string? Type { get; set; }
    public string? Measure { get; set; }
    public string? Date { get; set; }
    public Period? Period { get; set; }
    public CodeableConcept? ImprovementNotation { get; set; }
    public List<GroupComponent>? Group { get; set; }

    public sealed class GroupComponent
    {
        public CodeableConcept? Code { get; set; }
        public List<PopulationComponent>? Population { get; set; }
        public Quantity? MeasureScore { get; set; }
        public List<StratifierComponent>? Stratifier { get; set; }
    }

    public sealed class PopulationComponent
    {
        public CodeableConcept? Code { get; set; }
        public int? Count { get; set; }
    }

    public sealed class StratifierComponent
    {
        public List<CodeableConcept>? Code { get; set; }
        public List<StratumComponent>? Stratum { get; set; }
    }

    public sealed class StratumComponent
    {
        public CodeableConcept? Value { get; set; }
        public List<PopulationComponent>? Population { get; set; }
        public Quantity? MeasureScore { get; set; }
    }
}
