namespace ContinuityHub.Fhir;

public sealed class Measure : Resource
{
    public override string TypeName => "Measure";
    public string? Url { get; set; }
    public string? Version { get; set; }
    public string? Name { get; set; }
    public string? Title { get; set; }
    /// <summary>draft | active | retired | unknown (required binding).</summary>
    public string? Status { get; set; }
    public bool? Experimental { get; set; }
    public string? Date { get; set; }
    public string? Publisher { get; set; }
    public string? Description { get; set; }
    public CodeableConcept? SubjectCodeableConcept { get; set; }
    public CodeableConcept? Scoring { get; set; }
    /// <summary>Markdown: why the measure matters.</summary>
    public string? Rationale { get; set; }
    public CodeableConcept? ImprovementNotation { get; set; }
    /// <summary>Markdown: how to read and apply the measure.</summary>
    public string? Guidance { get; set; }
    public List<GroupComponent>? Group { get; set; }

    public sealed class GroupComponent
    {
        public CodeableConcept? Code { get; set; }
        public string? Description { get; set; }
        public List<PopulationComponent>? Population { get; set; }
        public List<StratifierComponent>? Stratifier { get; set; }
    }

    public sealed class PopulationComponent
    {
        public CodeableConcept? Code { get; set; }
        public string? Description { get; set; }
        public Expression? Criteria { get; set; }
    }

    public sealed class StratifierComponent
    {
        public CodeableConcept? Code { get; set; }
        public string? Description { get; set; }
        public Expression? Criteria { get; set; }
    }
}

/// <summary>R4 Expression data type (Measure criteria).</summary>
public sealed class Expression
{
    public string? Description { get; set; }
    /// <summary>text/cql | text/fhirpath | application/x-fhir-query | …</summary>
    public string? Language { get; set; }
    [System.Text.Json.Serialization.JsonPropertyName("expression")]
    public string? ExpressionText { get; set; }
}
