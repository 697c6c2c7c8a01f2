namespace ContinuityHub.Fhir;

public sealed class Bundle : Resource
{
    public override string TypeName => "Bundle";
    /// <summary>document | message | transaction | … | searchset | collection (required binding).</summary>
    public string? Type { get; set; }
    public string? Timestamp { get; set; }
    public int? Total { get; set; }
    public List<LinkComponent>? Link { get; set; }
    public List<EntryComponent>? Entry { get; set; }

    public sealed class LinkComponent
    {
        public string? Relation { get; set; }
        public string? Url { get; set; }
    }

    public sealed class EntryComponent
    {
        public string? FullUrl { get; set; }
        public Resource? Resource { get; set; }
        public SearchComponent? Search { get; set; }
    }

    public sealed class SearchComponent
    {
        /// <summary>match | include | outcome.</summary>
        public string? Mode { get; set; }
    }
}
