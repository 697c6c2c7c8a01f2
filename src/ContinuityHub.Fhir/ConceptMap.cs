namespace ContinuityHub.Fhir;

/// <summary>R4 ConceptMap: the subset the hub's mappings use (groups of source codes with targets).</summary>
public sealed class ConceptMap : Resource
{
    public override string TypeName => "ConceptMap";
    public string? Url { get; set; }
    public string? Version { get; set; }
    public string? Name { get; set; }
    public string? Title { get; set; }
    public string? Status { get; set; }
    public string? Description { get; set; }
    public string? SourceUri { get; set; }
    public string? TargetUri { get; set; }
    public List<GroupComponent>? Group { get; set; }

    public sealed class GroupComponent
    {
        public string? Source { get; set; }
        public string? Target { get; set; }
        public List<SourceElementComponent>? Element { get; set; }
    }

    public sealed class SourceElementComponent
    {
        public string? Code { get; set; }
        public string? Display { get; set; }
        public List<TargetElementComponent>? Target { get; set; }
    }

    public sealed class TargetElementComponent
    {
        public string? Code { get; set; }
        public string? Display { get; set; }
        public string? Equivalence { get; set; }
        public string? Comment { get; set; }
    }
}
