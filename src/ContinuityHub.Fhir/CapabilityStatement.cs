namespace ContinuityHub.Fhir;

public sealed class CapabilityStatement : Resource
{
    public override string TypeName => "CapabilityStatement";
    public string? Name { get; set; }
    public string? Title { get; set; }
    /// <summary>draft | active | retired | unknown (required binding).</summary>
    public string? Status { get; set; }
    public string? Date { get; set; }
    /// <summary>instance | capability | requirements (required binding).</summary>
    public string? Kind { get; set; }
    public string? FhirVersion { get; set; }
    public List<string>? Format { get; set; }
    public List<RestComponent>? Rest { get; set; }

    public sealed class RestComponent
    {
        /// <summary>client | server.</summary>
        public string? Mode { get; set; }
        public List<ResourceComponent>? Resource { get; set; }
    }

    public sealed class ResourceComponent
    {
        public string? Type { get; set; }
        public List<InteractionComponent>? Interaction { get; set; }
        /// <summary>no-version | versioned | versioned-update.</summary>
        public string? Versioning { get; set; }
        public bool? ConditionalUpdate { get; set; }
        public List<SearchParamComponent>? SearchParam { get; set; }
        public List<OperationComponent>? Operation { get; set; }
    }

    public sealed class OperationComponent
    {
        public string? Name { get; set; }
        /// <summary>Canonical URL of the OperationDefinition.</summary>
        public string? Definition { get; set; }
    }

    public sealed class SearchParamComponent
    {
        public string? Name { get; set; }
        /// <summary>number | date | string | token | reference | composite | quantity | uri | special.</summary>
        public string? Type { get; set; }
    }

    public sealed class InteractionComponent
    {
        /// <summary>read | vread | update | patch | delete | history-instance | history-type | create | search-type.</summary>
        public string? Code { get; set; }
    }
}
