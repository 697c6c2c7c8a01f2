using System.Text.RegularExpressions;

namespace ContinuityHub.Mappings;

public sealed record Prison(string Code, string Name, string HealthcareOds, string? HealthcareEmail);

public sealed record LocalAuthority(string Code, string Name, IReadOnlyList<string> PostcodeDistricts);

public sealed record TreatmentProvider(string OdsCode, string Name, IReadOnlyList<string> LocalAuthorities, string? ContactEmail, Uri? FhirEndpoint);

public sealed record SnomedConcept(string Code, string Display);

/// <summary>A code with its system, as written into FHIR resources (fhir-codes.json).</summary>
public sealed record CodedConcept(string System, string Code, string Display);


public static class SubstanceCodes
{
    public static readonly IReadOnlyList<string> All =
        ["opiates", "crack", "cocaine", "cannabis", "amphetamines", "benzodiazepines", "synthetic-cannabinoids", "ketamine", "other-drugs", "alcohol"];
}

/// <summary>
/// The deployment's reference data from <c>mappings/</c>, validated at load (see <see cref="MappingsLoader"/>).
/// Routing, classification and coding decisions all go through here so they stay data, not code.
/// </summary>
public sealed partial class ReferenceData(
    IReadOnlyDictionary<string, Prison> prisons,
    IReadOnlyDictionary<string, LocalAuthority> localAuthorities,
    IReadOnlyDictionary<string, TreatmentProvider> providers,
    IReadOnlyDictionary<string, string> systems,
    IReadOnlyDictionary<string, CodedConcept> codes,
    IReadOnlyDictionary<string, SnomedConcept> substanceSnomed,
    IReadOnlyDictionary<string, string> substanceCategory,
    IReadOnlyDictionary<string, string> movementReasons,
    IReadOnlyList<Hl7.Fhir.Model.ConceptMap> conceptMaps)
{
    private readonly Dictionary<string, string> _districtToAuthority = localAuthorities.Values
        .SelectMany(la => la.PostcodeDistricts.Select(d => (d, la.Code)))
        .ToDictionary(x => x.d, x => x.Code, StringComparer.OrdinalIgnoreCase);

    private readonly Dictionary<string, TreatmentProvider> _authorityToProvider = providers.Values
        .SelectMany(p => p.LocalAuthorities.Select(la => (la, p)))
        .ToDictionary(x => x.la, x => x.p, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, Prison> Prisons { get; } = prisons;
    public IReadOnlyDictionary<string, LocalAuthority> LocalAuthorities { get; } = localAuthorities;
    public IReadOnlyDictionary<string, TreatmentProvider> Providers { get; } = providers;
    /// <summary>Identifier and code system URIs by name (fhir-systems.json).</summary>
    public IReadOnlyDictionary<string, string> Systems { get; } = systems;
    /// <summary>Named codes the FHIR referrals use (fhir-codes.json), e.g. referralToSubstanceMisuseService.</summary>
    public IReadOnlyDictionary<string, CodedConcept> Codes { get; } = codes;
    public IReadOnlyDictionary<string, SnomedConcept> SubstanceSnomed { get; } = substanceSnomed;
    public IReadOnlyList<Hl7.Fhir.Model.ConceptMap> ConceptMaps { get; } = conceptMaps;

    /// <summary>The local authority for a destination: the one given, else the postcode's district.</summary>
    public string? ResolveLocalAuthority(string? localAuthorityCode, string? postcode)
    {
        if (localAuthorityCode is not null && LocalAuthorities.ContainsKey(localAuthorityCode)) return localAuthorityCode;
        var district = PostcodeDistrict(postcode);
        return district is not null && _districtToAuthority.TryGetValue(district, out var code) ? code : null;
    }

    public TreatmentProvider? ProviderFor(string? localAuthorityCode) =>
        localAuthorityCode is not null && _authorityToProvider.TryGetValue(localAuthorityCode, out var p) ? p : null;

    /// <summary>Classifies a release movement code; unknown codes count as community releases, flagged.</summary>
    public (string Classification, bool Unknown) ClassifyMovement(string? movementReasonCode) =>
        movementReasonCode is not null && movementReasons.TryGetValue(movementReasonCode.Trim().ToUpperInvariant(), out var c)
            ? (c, false)
            : (ReleaseClassification.CommunityRelease, true);

    /// <summary>opiate / non-opiate-only / non-opiate-and-alcohol / alcohol-only, or null when there is no need.</summary>
    public string? SubstanceGroup(IEnumerable<string> substances)
    {
        var categories = substances.Select(s => substanceCategory.GetValueOrDefault(s)).Where(c => c is not null).ToHashSet();
        if (categories.Count == 0) return null;
        if (categories.Contains("opiate")) return "opiate";
        var nonOpiate = categories.Contains("non-opiate");
        var alcohol = categories.Contains("alcohol");
        return nonOpiate && alcohol ? "non-opiate-and-alcohol" : nonOpiate ? "non-opiate-only" : "alcohol-only";
    }

    /// <summary>"NN17 1AA" → "NN17"; null when the value is not a full UK postcode.</summary>
    public static string? PostcodeDistrict(string? postcode)
    {
        if (postcode is null) return null;
        var match = PostcodePattern().Match(postcode.Trim().ToUpperInvariant());
        return match.Success ? match.Groups["district"].Value : null;
    }

    [GeneratedRegex(@"^(?<district>(GIR|[A-Z]{1,2}[0-9][A-Z0-9]?)) ?[0-9][A-Z]{2}$")]
    public static partial Regex PostcodePattern();
}
