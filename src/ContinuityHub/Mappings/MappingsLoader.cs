using System.Text.Json;
using System.Text.RegularExpressions;
using ContinuityHub.Features.Fhir;
using Hl7.Fhir.Model;

namespace ContinuityHub.Mappings;

/// <summary>
/// Reads and validates <c>mappings/</c>. Every problem found is reported, each naming the file, the entry
/// and what is wrong, so an operator can fix a bad deployment in one pass; the hub does not start on one.
/// </summary>
public static partial class MappingsLoader
{
    public const string SubstancesConceptMap = "conceptmaps/substances.json";
    public const string MovementReasonsConceptMap = "conceptmaps/nomis-movement-reasons.json";
    private static readonly string[] RequiredSystems =
        ["nhsNumber", "odsOrganizationCode", "nomsNumber", "crn", "pncNumber", "prisonCode", "substance", "substanceGroup",
         "nomisMovementReason", "releaseClassification", "snomedCt"];

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
    };

    /// <param name="httpsEndpointsOnly">Refuse a provider's plain-http fhirEndpoint (every environment but Development:
    /// the pushed messages carry health data).</param>
    public static ReferenceData Load(string directory, bool httpsEndpointsOnly = false)
    {
        var problems = new List<string>();
        if (!Directory.Exists(directory))
            throw new MappingsInvalidException([$"{directory}: the mappings folder does not exist (set Hub__MappingsDirectory)."]);

        var prisonsFile = Read<PrisonsFile>(directory, "prisons.json", problems);
        var authoritiesFile = Read<LocalAuthoritiesFile>(directory, "local-authorities.json", problems);
        var providersFile = Read<ProvidersFile>(directory, "providers.json", problems);
        var systemsFile = Read<SystemsFile>(directory, "fhir-systems.json", problems);
        var codesFile = Read<CodesFile>(directory, "fhir-codes.json", problems);
        var substancesMap = ReadConceptMap(directory, SubstancesConceptMap, problems);
        var movementMap = ReadConceptMap(directory, MovementReasonsConceptMap, problems);

        var prisons = ValidatePrisons(prisonsFile, problems);
        var authorities = ValidateLocalAuthorities(authoritiesFile, problems);
        var providers = ValidateProviders(providersFile, authorities, httpsEndpointsOnly, problems);
        var systems = ValidateSystems(systemsFile, problems);
        var codes = ValidateCodes(codesFile, problems);
        var (snomed, categories) = ValidateSubstances(substancesMap, problems);
        var movements = ValidateMovementReasons(movementMap, problems);

        if (problems.Count > 0) throw new MappingsInvalidException(problems);
        return new ReferenceData(prisons, authorities, providers, systems, codes, snomed, categories, movements, [substancesMap!, movementMap!]);
    }

    private static T? Read<T>(string directory, string relativePath, List<string> problems) where T : class
    {
        var path = Path.Combine(directory, relativePath);
        if (!File.Exists(path))
        {
            problems.Add($"{relativePath}: file is missing.");
            return null;
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(File.ReadAllText(path), JsonOptions);
            if (value is null) problems.Add($"{relativePath}: file is empty.");
            return value;
        }
        catch (JsonException e)
        {
            problems.Add($"{relativePath}: not valid JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message.Split(" Path:")[0]}");
            return null;
        }
    }

    /// <summary>A ConceptMap is served as it is (GET /fhir/ConceptMap/{id}), so it is read as FHIR: by the Firely parser.</summary>
    private static ConceptMap? ReadConceptMap(string directory, string relativePath, List<string> problems)
    {
        var path = Path.Combine(directory, relativePath);
        if (!File.Exists(path))
        {
            problems.Add($"{relativePath}: file is missing.");
            return null;
        }
        var read = FhirJson.Parse<ConceptMap>(File.ReadAllText(path));
        // Firely's diagnostics name the FHIRPath, line and position ("… At ConceptMap.group[0].element[2].target[0].equivalence, line 12, position 61.").
        problems.AddRange((read.Problems?.Issue ?? []).Select(issue => $"{relativePath}: {issue.Diagnostics}"));
        return read.Resource;
    }

    private static Dictionary<string, Prison> ValidatePrisons(PrisonsFile? file, List<string> problems)
    {
        var result = new Dictionary<string, Prison>(StringComparer.Ordinal);
        if (file is null) return result;
        if (file.Prisons is not { Count: > 0 }) problems.Add("prisons.json: 'prisons' must list at least one prison.");
        foreach (var (entry, i) in (file.Prisons ?? []).Select((p, i) => (p, i)))
        {
            var where = $"prisons.json: prisons[{i}] ({entry.Code ?? "no code"})";
            if (entry.Code is null || !PrisonCodePattern().IsMatch(entry.Code)) problems.Add($"{where}: 'code' must be a 3-letter HMPPS agency code.");
            if (string.IsNullOrWhiteSpace(entry.Name)) problems.Add($"{where}: 'name' is required.");
            if (entry.HealthcareOds is null || !OdsPattern().IsMatch(entry.HealthcareOds)) problems.Add($"{where}: 'healthcareOds' must be an ODS code (3 to 6 letters or digits).");
            if (entry.HealthcareEmail is not null && !EmailPattern().IsMatch(entry.HealthcareEmail)) problems.Add($"{where}: 'healthcareEmail' is not an e-mail address.");
            if (entry.Code is not null && !result.TryAdd(entry.Code, new Prison(entry.Code, entry.Name ?? "", entry.HealthcareOds ?? "", entry.HealthcareEmail)))
                problems.Add($"{where}: code {entry.Code} appears twice.");
        }
        return result;
    }

    private static Dictionary<string, LocalAuthority> ValidateLocalAuthorities(LocalAuthoritiesFile? file, List<string> problems)
    {
        var result = new Dictionary<string, LocalAuthority>(StringComparer.Ordinal);
        if (file is null) return result;
        var districtOwner = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (entry, i) in (file.LocalAuthorities ?? []).Select((p, i) => (p, i)))
        {
            var where = $"local-authorities.json: localAuthorities[{i}] ({entry.Code ?? "no code"})";
            if (entry.Code is null || !OnsCodePattern().IsMatch(entry.Code)) problems.Add($"{where}: 'code' must be an ONS local authority code like E06000061.");
            if (string.IsNullOrWhiteSpace(entry.Name)) problems.Add($"{where}: 'name' is required.");
            foreach (var district in entry.PostcodeDistricts ?? [])
            {
                if (!DistrictPattern().IsMatch(district)) problems.Add($"{where}: postcode district '{district}' is not a district like NN17.");
                else if (!districtOwner.TryAdd(district, entry.Code ?? "")) problems.Add($"{where}: postcode district {district} is already mapped to {districtOwner[district]}.");
            }
            if (entry.Code is not null && !result.TryAdd(entry.Code, new LocalAuthority(entry.Code, entry.Name ?? "", entry.PostcodeDistricts ?? [])))
                problems.Add($"{where}: code {entry.Code} appears twice.");
        }
        return result;
    }

    private static Dictionary<string, TreatmentProvider> ValidateProviders(ProvidersFile? file, Dictionary<string, LocalAuthority> authorities,
        bool httpsEndpointsOnly, List<string> problems)
    {
        var result = new Dictionary<string, TreatmentProvider>(StringComparer.Ordinal);
        if (file is null) return result;
        var coverage = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (entry, i) in (file.Providers ?? []).Select((p, i) => (p, i)))
        {
            var where = $"providers.json: providers[{i}] ({entry.OdsCode ?? "no odsCode"})";
            if (entry.OdsCode is null || !OdsPattern().IsMatch(entry.OdsCode)) problems.Add($"{where}: 'odsCode' must be an ODS code (3 to 6 letters or digits).");
            if (string.IsNullOrWhiteSpace(entry.Name)) problems.Add($"{where}: 'name' is required.");
            if (entry.ContactEmail is not null && !EmailPattern().IsMatch(entry.ContactEmail)) problems.Add($"{where}: 'contactEmail' is not an e-mail address.");
            Uri? endpoint = null;
            if (entry.FhirEndpoint is not null &&
                (!Uri.TryCreate(entry.FhirEndpoint, UriKind.Absolute, out endpoint) || (endpoint.Scheme != "https" && endpoint.Scheme != "http")))
                problems.Add($"{where}: 'fhirEndpoint' must be an absolute http(s) URL.");
            else if (httpsEndpointsOnly && endpoint?.Scheme == "http")
                problems.Add($"{where}: 'fhirEndpoint' must be https outside the Development environment (referrals carry health data).");
            foreach (var authority in entry.LocalAuthorities ?? [])
            {
                if (!authorities.ContainsKey(authority)) problems.Add($"{where}: local authority {authority} is not in local-authorities.json.");
                else if (!coverage.TryAdd(authority, entry.OdsCode ?? "")) problems.Add($"{where}: local authority {authority} is already covered by {coverage[authority]}.");
            }
            if (entry.OdsCode is not null && !result.TryAdd(entry.OdsCode, new TreatmentProvider(entry.OdsCode, entry.Name ?? "", entry.LocalAuthorities ?? [], entry.ContactEmail, endpoint)))
                problems.Add($"{where}: ODS code {entry.OdsCode} appears twice.");
        }
        foreach (var authority in authorities.Keys.Where(a => !coverage.ContainsKey(a)))
            problems.Add($"providers.json: no provider covers local authority {authority}; releases there could not be referred.");
        return result;
    }

    private static Dictionary<string, string> ValidateSystems(SystemsFile? file, List<string> problems)
    {
        var result = new Dictionary<string, string>(file?.Systems ?? [], StringComparer.Ordinal);
        if (file is null) return result;
        foreach (var name in RequiredSystems.Where(n => !result.ContainsKey(n)))
            problems.Add($"fhir-systems.json: systems.{name} is missing.");
        foreach (var (name, uri) in result.Where(kv => !Uri.TryCreate(kv.Value, UriKind.Absolute, out _)))
            problems.Add($"fhir-systems.json: systems.{name} ('{uri}') is not an absolute URI.");
        return result;
    }

    private static readonly string[] RequiredCodes =
        ["referralToSubstanceMisuseService", "referralToAlcoholMisuseService", "patientReferral", "messageEventReferralNew", "messageEventReferralUpdated"];

    private static Dictionary<string, CodedConcept> ValidateCodes(CodesFile? file, List<string> problems)
    {
        var result = new Dictionary<string, CodedConcept>(StringComparer.Ordinal);
        if (file is null) return result;
        foreach (var name in RequiredCodes)
        {
            if (file.Codes?.GetValueOrDefault(name) is not { } entry) problems.Add($"fhir-codes.json: codes.{name} is missing.");
            else if (entry.System is null || !Uri.TryCreate(entry.System, UriKind.Absolute, out _) || string.IsNullOrWhiteSpace(entry.Code))
                problems.Add($"fhir-codes.json: codes.{name} needs an absolute 'system' URI and a 'code'.");
            else result[name] = new CodedConcept(entry.System, entry.Code!, entry.Display ?? "");
        }
        return result;
    }

    private static (Dictionary<string, SnomedConcept>, Dictionary<string, string>) ValidateSubstances(ConceptMap? map, List<string> problems)
    {
        var snomed = new Dictionary<string, SnomedConcept>(StringComparer.Ordinal);
        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map is null) return (snomed, categories);
        const string file = SubstancesConceptMap;
        var groups = map.Group ?? [];
        var snomedGroup = groups.FirstOrDefault(g => g.Target == "http://snomed.info/sct");
        var categoryGroup = groups.FirstOrDefault(g => g.Target?.EndsWith("/substance-category", StringComparison.Ordinal) == true);
        if (snomedGroup is null) problems.Add($"{file}: no group with target http://snomed.info/sct.");
        if (categoryGroup is null) problems.Add($"{file}: no group with a target ending /substance-category.");
        foreach (var element in (snomedGroup?.Element ?? []).Concat(categoryGroup?.Element ?? []).GroupBy(e => e.Code).Where(g => g.Count() > 2))
            problems.Add($"{file}: substance {element.Key} appears twice in a group.");
        foreach (var element in (snomedGroup?.Element ?? []).Concat(categoryGroup?.Element ?? []).Where(e => !SubstanceCodes.All.Contains(e.Code ?? "")))
            problems.Add($"{file}: element {element.Code ?? "(no code)"} is not a hub substance code ({string.Join(", ", SubstanceCodes.All)}).");
        foreach (var element in snomedGroup?.Element ?? [])
        {
            var target = element.Target?.FirstOrDefault();
            if (target?.Code is null || !SnomedPattern().IsMatch(target.Code)) problems.Add($"{file}: SNOMED group, element {element.Code}: needs one target with a SNOMED CT concept id.");
            else if (element.Code is not null) snomed[element.Code] = new SnomedConcept(target.Code, target.Display ?? "");
        }
        foreach (var element in categoryGroup?.Element ?? [])
        {
            var code = element.Target?.FirstOrDefault()?.Code;
            if (code is not ("opiate" or "non-opiate" or "alcohol")) problems.Add($"{file}: category group, element {element.Code}: target must be opiate, non-opiate or alcohol.");
            else if (element.Code is not null) categories[element.Code] = code;
        }
        foreach (var substance in SubstanceCodes.All)
        {
            if (snomedGroup is not null && !snomed.ContainsKey(substance)) problems.Add($"{file}: substance {substance} has no SNOMED CT mapping.");
            if (categoryGroup is not null && !categories.ContainsKey(substance)) problems.Add($"{file}: substance {substance} has no category mapping.");
        }
        return (snomed, categories);
    }

    private static Dictionary<string, string> ValidateMovementReasons(ConceptMap? map, List<string> problems)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (map is null) return result;
        const string file = MovementReasonsConceptMap;
        foreach (var element in (map.Group ?? []).SelectMany(g => g.Element ?? []))
        {
            var classification = element.Target?.FirstOrDefault()?.Code;
            if (string.IsNullOrWhiteSpace(element.Code)) problems.Add($"{file}: an element has no code.");
            else if (classification is null || !ReleaseClassification.All.Contains(classification))
                problems.Add($"{file}: element {element.Code}: target must be one of {string.Join(", ", ReleaseClassification.All)}.");
            else if (!result.TryAdd(element.Code, classification)) problems.Add($"{file}: element {element.Code} appears twice.");
        }
        if (result.Count == 0) problems.Add($"{file}: no movement reason codes are mapped.");
        return result;
    }

    [GeneratedRegex("^[A-Z]{3}$")] private static partial Regex PrisonCodePattern();
    [GeneratedRegex("^[A-Z0-9]{3,6}$")] private static partial Regex OdsPattern();
    [GeneratedRegex("^[EWSN][0-9]{8}$")] private static partial Regex OnsCodePattern();
    [GeneratedRegex("^[A-Z]{1,2}[0-9][A-Z0-9]?$")] private static partial Regex DistrictPattern();
    [GeneratedRegex("^[0-9]{6,18}$")] private static partial Regex SnomedPattern();
    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")] private static partial Regex EmailPattern();

    private sealed record PrisonsFile(List<PrisonEntry>? Prisons);
    private sealed record PrisonEntry(string? Code, string? Name, string? HealthcareOds, string? HealthcareEmail);
    private sealed record LocalAuthoritiesFile(List<LocalAuthorityEntry>? LocalAuthorities);
    private sealed record LocalAuthorityEntry(string? Code, string? Name, List<string>? PostcodeDistricts);
    private sealed record ProvidersFile(List<ProviderEntry>? Providers);
    private sealed record ProviderEntry(string? OdsCode, string? Name, List<string>? LocalAuthorities, string? ContactEmail, string? FhirEndpoint);
    private sealed record SystemsFile(Dictionary<string, string>? Systems);
    private sealed record CodesFile(Dictionary<string, CodeEntry>? Codes);
    private sealed record CodeEntry(string? System, string? Code, string? Display);
}

public sealed class MappingsInvalidException(IReadOnlyList<string> problems)
    : Exception("The mappings are invalid:\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
