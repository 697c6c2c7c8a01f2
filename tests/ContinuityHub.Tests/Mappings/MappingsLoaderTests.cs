using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Mappings;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Mappings;

/// <summary>
/// Contract §8: the shipped Northamptonshire set loads and routes/classifies as the reference says; a bad
/// mappings folder is refused with every problem listed, each naming the file, the entry and what is wrong.
/// </summary>
public sealed class MappingsLoaderTests
{
    private const string West = "E06000062";
    private const string North = "E06000061";
    private static readonly Lazy<ReferenceData> Shipped = new(() => MappingsLoader.Load(RepositoryPaths.Mappings));

    // ---------------------------------------------------------------- the shipped set

    [Fact]
    public void The_shipped_Northamptonshire_set_loads()
    {
        var data = MappingsLoader.Load(RepositoryPaths.Mappings);

        Assert.Equal(new[] { North, West }, data.LocalAuthorities.Keys.Order());
        Assert.Equal("West Northamptonshire", data.LocalAuthorities[West].Name);
        Assert.Equal("North Northamptonshire", data.LocalAuthorities[North].Name);
        foreach (var code in new[] { "FWI", "ONI", "RHI", "WDI", "PBI", "LTI", "GTI", "BNI" })
            Assert.True(data.Prisons.ContainsKey(code), $"prison {code} from the reference is missing");
        Assert.Equal(2, data.ConceptMaps.Count);
        foreach (var substance in SubstanceCodes.All)
            Assert.True(data.SubstanceSnomed.ContainsKey(substance), $"substance {substance} has no SNOMED CT concept");
        Assert.Equal("75544000", data.SubstanceSnomed["opiates"].Code);
        Assert.Equal("66590003", data.SubstanceSnomed["alcohol"].Code);
        Assert.Equal("https://fhir.nhs.uk/Id/nhs-number", data.Systems["nhsNumber"]);
        Assert.Equal("https://fhir.nhs.uk/Id/ods-organization-code", data.Systems["odsOrganizationCode"]);
        Assert.Equal("http://snomed.info/sct", data.Systems["snomedCt"]);
    }

    [Fact]
    public void Every_invented_ODS_code_in_the_shipped_set_is_marked_as_an_example()
    {
        foreach (var (file, array, odsField) in new[] { ("prisons.json", "prisons", "healthcareOds"), ("providers.json", "providers", "odsCode") })
        {
            var entries = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Mappings, file)))![array]!.AsArray();
            foreach (var entry in entries)
            {
                var ods = (string)entry![odsField]!;
                if (ods.StartsWith("EX", StringComparison.Ordinal))
                    Assert.True(entry["example"]?.GetValue<bool>() == true, $"{file}: {ods} is invented but not marked \"example\": true");
            }
        }
    }

    // ---------------------------------------------------------------- routing

    public static TheoryData<string, string> Districts() => new()
    {
        { "NN1 1AA", West }, { "NN2 6AB", West }, { "NN3 2AA", West }, { "NN4 0AA", West }, { "NN5 5AA", West },
        { "NN6 7AA", West }, { "NN7 1AA", West }, { "NN11 4AA", West }, { "NN12 6AA", West }, { "NN13 5AA", West },
        { "NN8 1AA", North }, { "NN9 5AA", North }, { "NN10 0AA", North }, { "NN14 1AA", North }, { "NN15 5AA", North },
        { "NN16 0AA", North }, { "NN17 1AA", North }, { "NN18 0AA", North }, { "NN29 7AA", North },
    };

    [Theory]
    [MemberData(nameof(Districts))]
    public void Every_reference_postcode_district_routes_to_its_authority_and_provider(string postcode, string authority)
    {
        var data = Shipped.Value;

        var resolved = data.ResolveLocalAuthority(null, postcode);

        Assert.Equal(authority, resolved);
        Assert.Equal(authority == West ? "EXS2SW" : "EXS2SN", data.ProviderFor(resolved)?.OdsCode);
    }

    [Fact]
    public void Routing_ignores_postcode_case_and_spacing()
    {
        Assert.Equal(North, Shipped.Value.ResolveLocalAuthority(null, "nn171aa"));
        Assert.Equal(West, Shipped.Value.ResolveLocalAuthority(null, " nn1 1aa "));
    }

    [Fact]
    public void An_explicit_local_authority_code_wins_over_the_postcode()
    {
        // NN17 is North Northamptonshire; the explicit West code is what counts.
        Assert.Equal(West, Shipped.Value.ResolveLocalAuthority(West, "NN17 1AA"));
        Assert.Equal(North, Shipped.Value.ResolveLocalAuthority(North, "NN1 1AA"));
        Assert.Equal(North, Shipped.Value.ResolveLocalAuthority(North, null));
    }

    [Fact]
    public void An_unknown_district_or_no_destination_routes_nowhere()
    {
        Assert.Null(Shipped.Value.ResolveLocalAuthority(null, "MK1 1AA"));
        Assert.Null(Shipped.Value.ResolveLocalAuthority(null, null));
        Assert.Null(Shipped.Value.ResolveLocalAuthority(null, "not a postcode"));
        Assert.Null(Shipped.Value.ProviderFor(null));
        Assert.Null(Shipped.Value.ProviderFor("E06000099"));
    }

    [Fact]
    public void An_unknown_explicit_authority_code_falls_back_to_the_postcode()
    {
        Assert.Equal(North, Shipped.Value.ResolveLocalAuthority("E06000099", "NN17 1AA"));
        Assert.Null(Shipped.Value.ResolveLocalAuthority("E06000099", "MK1 1AA"));
    }

    // ---------------------------------------------------------------- movement reasons

    [Theory]
    [InlineData("HD", ReleaseClassification.CommunityRelease)]
    [InlineData("ECSL", ReleaseClassification.CommunityRelease)]
    [InlineData("NCS", ReleaseClassification.CommunityRelease)]
    [InlineData("CR", ReleaseClassification.CommunityRelease)]
    [InlineData("MRG", ReleaseClassification.NotARelease)]
    [InlineData("UAL", ReleaseClassification.NotARelease)]
    [InlineData("DEC", ReleaseClassification.Died)]
    [InlineData("DD", ReleaseClassification.RemovedFromUk)]
    [InlineData("DE", ReleaseClassification.RemovedFromUk)]
    [InlineData("DL", ReleaseClassification.RemovedFromUk)]
    [InlineData("DEIRC", ReleaseClassification.RemovedFromUk)]
    [InlineData("ETR", ReleaseClassification.RemovedFromUk)]
    [InlineData("ECSLIRC", ReleaseClassification.RemovedFromUk)]
    [InlineData("HO", ReleaseClassification.Hospital)]
    [InlineData("HQ", ReleaseClassification.Hospital)]
    [InlineData("HP", ReleaseClassification.Hospital)]
    public void Movement_reasons_are_classified(string code, string expected)
    {
        Assert.Equal((expected, false), Shipped.Value.ClassifyMovement(code));
        Assert.Equal((expected, false), Shipped.Value.ClassifyMovement(code.ToLowerInvariant()));
        Assert.Equal((expected, false), Shipped.Value.ClassifyMovement($" {code} "));
    }

    [Theory]
    [InlineData("ZZZ")]
    [InlineData("")]
    [InlineData(null)]
    public void An_unknown_movement_reason_is_a_community_release_flagged_unknown(string? code)
    {
        Assert.Equal((ReleaseClassification.CommunityRelease, true), Shipped.Value.ClassifyMovement(code));
    }

    // ---------------------------------------------------------------- substance groups

    [Theory]
    [InlineData("opiate", "opiates")]
    [InlineData("opiate", "opiates", "crack", "alcohol")]
    [InlineData("opiate", "alcohol", "opiates")]
    [InlineData("non-opiate-only", "crack")]
    [InlineData("non-opiate-only", "cannabis", "cocaine", "ketamine")]
    [InlineData("non-opiate-and-alcohol", "cocaine", "alcohol")]
    [InlineData("non-opiate-and-alcohol", "alcohol", "benzodiazepines")]
    [InlineData("alcohol-only", "alcohol")]
    public void Substance_groups_follow_the_categories(string expected, params string[] substances)
    {
        Assert.Equal(expected, Shipped.Value.SubstanceGroup(substances));
    }

    [Fact]
    public void No_substances_means_no_substance_group()
    {
        Assert.Null(Shipped.Value.SubstanceGroup([]));
    }

    // ---------------------------------------------------------------- bad folders

    [Fact]
    public void A_missing_folder_is_refused_with_the_setting_to_fix()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-mappings-{Guid.NewGuid():N}");
        var problem = Assert.Single(Assert.Throws<MappingsInvalidException>(() => MappingsLoader.Load(missing)).Problems);
        Assert.Contains(missing, problem);
        Assert.Contains("Hub__MappingsDirectory", problem);
    }

    [Fact]
    public void Invalid_json_names_the_file_and_line()
    {
        using var dir = new MappingsCopy();
        // Line 5 of prisons.json is HMP Onley; drop the comma after its code.
        var lines = File.ReadAllLines(dir.File("prisons.json"));
        Assert.Contains("\"ONI\"", lines[4]);
        lines[4] = lines[4].Replace("\"code\": \"ONI\",", "\"code\": \"ONI\"", StringComparison.Ordinal);
        File.WriteAllLines(dir.File("prisons.json"), lines);

        var problem = Assert.Single(dir.Problems());
        Assert.StartsWith("prisons.json: not valid JSON at line 5", problem);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        using var dir = new MappingsCopy();
        File.Delete(dir.File("conceptmaps/substances.json"));

        Assert.Equal(["conceptmaps/substances.json: file is missing."], dir.Problems());
    }

    [Fact]
    public void A_duplicate_prison_code_names_the_entry()
    {
        using var dir = new MappingsCopy();
        dir.Edit("prisons.json", root => root["prisons"]!.AsArray().Add(new JsonObject
        {
            ["code"] = "ONI", ["name"] = "HMP Onley again", ["healthcareOds"] = "EXONJ", ["healthcareEmail"] = "x@example.nhs.uk",
        }));

        var problem = Assert.Single(dir.Problems());
        Assert.StartsWith("prisons.json: prisons[9] (ONI)", problem);
        Assert.Contains("appears twice", problem);
    }

    [Fact]
    public void A_badly_formed_prison_code_names_the_entry()
    {
        using var dir = new MappingsCopy();
        dir.Edit("prisons.json", root => root["prisons"]![2]!["code"] = "Rh1");

        var problem = Assert.Single(dir.Problems());
        Assert.StartsWith("prisons.json: prisons[2] (Rh1)", problem);
        Assert.Contains("3-letter HMPPS agency code", problem);
    }

    [Fact]
    public void A_postcode_district_claimed_by_two_authorities_names_both()
    {
        using var dir = new MappingsCopy();
        dir.Edit("local-authorities.json", root => root["localAuthorities"]![0]!["postcodeDistricts"]!.AsArray().Add("NN17"));

        var problem = Assert.Single(dir.Problems());
        Assert.StartsWith($"local-authorities.json: localAuthorities[1] ({North})", problem);
        Assert.Contains($"NN17 is already mapped to {West}", problem);
    }

    [Fact]
    public void A_provider_covering_an_unknown_authority_names_the_provider_and_the_authority()
    {
        using var dir = new MappingsCopy();
        dir.Edit("providers.json", root => root["providers"]![1]!["localAuthorities"]!.AsArray().Add("E06000099"));

        var problem = Assert.Single(dir.Problems());
        Assert.StartsWith("providers.json: providers[1] (EXS2SN)", problem);
        Assert.Contains("E06000099 is not in local-authorities.json", problem);
    }

    [Fact]
    public void An_authority_no_provider_covers_is_named()
    {
        using var dir = new MappingsCopy();
        dir.Edit("providers.json", root => root["providers"]!.AsArray().RemoveAt(0));

        var problem = Assert.Single(dir.Problems());
        Assert.StartsWith("providers.json:", problem);
        Assert.Contains($"no provider covers local authority {West}", problem);
    }

    [Fact]
    public void A_substance_without_a_SNOMED_mapping_is_named()
    {
        using var dir = new MappingsCopy();
        dir.Edit("conceptmaps/substances.json", root =>
        {
            var elements = root["group"]![0]!["element"]!.AsArray();
            elements.Remove(elements.Single(e => (string)e!["code"]! == "ketamine"));
        });

        var problem = Assert.Single(dir.Problems());
        Assert.Equal("conceptmaps/substances.json: substance ketamine has no SNOMED CT mapping.", problem);
    }

    [Fact]
    public void A_movement_code_mapped_to_an_unknown_classification_is_named()
    {
        using var dir = new MappingsCopy();
        dir.Edit("conceptmaps/nomis-movement-reasons.json", root =>
        {
            var element = root["group"]![0]!["element"]!.AsArray().Single(e => (string)e!["code"]! == "HO")!;
            element["target"]![0]!["code"] = "prison-hospital";
        });

        var problem = Assert.Single(dir.Problems());
        Assert.StartsWith("conceptmaps/nomis-movement-reasons.json: element HO:", problem);
        Assert.Contains("target must be one of", problem);
        Assert.Contains(ReleaseClassification.Hospital, problem);
    }

    [Fact]
    public void A_missing_fhir_system_is_named()
    {
        using var dir = new MappingsCopy();
        dir.Edit("fhir-systems.json", root => root["systems"]!.AsObject().Remove("nhsNumber"));

        Assert.Equal(["fhir-systems.json: systems.nhsNumber is missing."], dir.Problems());
    }

    [Fact]
    public void A_missing_or_incomplete_fhir_code_is_named()
    {
        using var dir = new MappingsCopy();
        dir.Edit("fhir-codes.json", root =>
        {
            root["codes"]!.AsObject().Remove("patientReferral");
            root["codes"]!["referralToAlcoholMisuseService"]!.AsObject().Remove("code");
        });

        Assert.Equal(
        [
            "fhir-codes.json: codes.referralToAlcoholMisuseService needs an absolute 'system' URI and a 'code'.",
            "fhir-codes.json: codes.patientReferral is missing.",
        ], dir.Problems());
    }

    [Fact]
    public void Several_problems_in_one_load_are_all_reported_together()
    {
        using var dir = new MappingsCopy();
        dir.Edit("prisons.json", root => root["prisons"]![0]!["code"] = "five");
        dir.Edit("local-authorities.json", root => root["localAuthorities"]![1]!["postcodeDistricts"]!.AsArray().Add("NN1"));
        dir.Edit("fhir-systems.json", root => root["systems"]!.AsObject().Remove("snomedCt"));
        dir.Edit("conceptmaps/nomis-movement-reasons.json", root => root["group"]![0]!["element"]![0]!["target"]![0]!["code"] = "released");
        File.Delete(dir.File("providers.json"));
        File.WriteAllText(dir.File("conceptmaps/substances.json"), "{ \"resourceType\": \"ConceptMap\",\n  \"group\": [ }\n");

        var exception = Assert.Throws<MappingsInvalidException>(() => MappingsLoader.Load(dir.Path));

        var problems = exception.Problems;
        Assert.Equal(6, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("prisons.json: prisons[0] (five)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"local-authorities.json: localAuthorities[1] ({North})", StringComparison.Ordinal) && p.Contains("NN1 is already mapped", StringComparison.Ordinal));
        Assert.Contains("fhir-systems.json: systems.snomedCt is missing.", problems);
        Assert.Contains(problems, p => p.StartsWith("conceptmaps/nomis-movement-reasons.json: element CR:", StringComparison.Ordinal));
        Assert.Contains("providers.json: file is missing.", problems);
        Assert.Contains(problems, p => p.StartsWith("conceptmaps/substances.json: not valid JSON at line 2", StringComparison.Ordinal));
        // The exception's message carries them all too, for the start-up log.
        foreach (var problem in problems) Assert.Contains(problem, exception.Message);
    }

    /// <summary>A private copy of the shipped mappings folder, to break one way per test.</summary>
    internal sealed class MappingsCopy : IDisposable
    {
        private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

        public string Path { get; } = Directory.CreateTempSubdirectory("continuityhub-mappings-").FullName;

        public MappingsCopy()
        {
            foreach (var source in Directory.EnumerateFiles(RepositoryPaths.Mappings, "*.json", SearchOption.AllDirectories))
            {
                var target = System.IO.Path.Combine(Path, System.IO.Path.GetRelativePath(RepositoryPaths.Mappings, source));
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                System.IO.File.Copy(source, target);
            }
        }

        public string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

        public void Edit(string relativePath, Action<JsonNode> change)
        {
            var root = JsonNode.Parse(System.IO.File.ReadAllText(File(relativePath)))!;
            change(root);
            System.IO.File.WriteAllText(File(relativePath), root.ToJsonString(Indented));
        }

        /// <summary>Loads the folder, expecting it to be refused; the problems reported.</summary>
        public IReadOnlyList<string> Problems() => Assert.Throws<MappingsInvalidException>(() => MappingsLoader.Load(Path)).Problems;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
