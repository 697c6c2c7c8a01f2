namespace ContinuityHub.Fhir;

/// <summary>First entry of a FHIR message Bundle: what happened (event) and about which resources (focus).</summary>
public sealed class MessageHeader : Resource
{
    public override string TypeName => "MessageHeader";
    /// <summary>The choice element event[x] as a Coding.</summary>
    public Coding? EventCoding { get; set; }
    public List<DestinationComponent>? Destination { get; set; }
    public ResourceReference? Sender { get; set; }
    public SourceComponent? Source { get; set; }
    public List<ResourceReference>? Focus { get; set; }

    public sealed class DestinationComponent
    {
        public string? Name { get; set; }
        public string? Endpoint { get; set; }
        public ResourceReference? Receiver { get; set; }
    }

    public sealed class SourceComponent
    {
        public string? Name { get; set; }
        public string? Software { get; set; }
        public string? Endpoint { get; set; }
    }
}
