using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Data;
using ContinuityHub.Features.Fhir;
using ContinuityHub.Mappings;
using Hl7.Fhir.Model;
using Person = ContinuityHub.Domain.Person;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Fhir;

/// <summary>
/// Golden files of the mapping (tests/ContinuityHub.Tests/Fhir/Golden): a fixed referral mapped to each
/// resource must equal the reviewed JSON exactly. The records are built with fixed ids and times, so no field
/// is volatile. After an intended change, regenerate with UPDATE_GOLDEN=1 dotnet test and review the diff.
/// </summary>
public sealed class FhirGoldenFileTests
{
    private static readonly ReferenceData Mappings = MappingsLoader.Load(RepositoryPaths.Mappings);
    private static readonly FhirReferralMapper Mapper = new(Mappings);
    private static readonly DateTimeOffset Created = new(2026, 11, 20, 14, 30, 0, TimeSpan.Zero);

    private static readonly Person Person = new()
    {
        Id = Guid.Parse("0193f0a0-0000-7000-8000-000000000001"), NomsNumber = "A1234BC", NhsNumber = "9434765919", Crn = "X123456",
        PncNumber = "2001/0123456F", GivenName = "Sam", FamilyName = "Example", DateOfBirth = new DateOnly(1985, 3, 14), Gender = "male",
        CreatedAt = Created, UpdatedAt = Created,
    };

    private static readonly Episode Episode = new()
    {
        Id = Guid.Parse("0193f0a0-0000-7000-8000-000000000002"), PersonId = Person.Id, NomsNumber = "A1234BC", PrisonCode = "ONI",
        ReleaseDate = new DateOnly(2026, 12, 1), ReleaseDateSource = "planned-notification", NeedKnown = true,
        Substances = ["opiates", "crack"], SubstanceGroup = "opiate", InTreatmentInCustody = true, OstMedication = "methadone",
        OstDailyDoseMg = 60, OstLastDoseDate = new DateOnly(2026, 11, 30), OstBridgingPrescription = true, NaloxoneIssued = true,
        ConsentToShare = true, LocalAuthorityCode = "E06000061", ProviderOds = "EXS2SN", Status = "engaged",
        EngagedOn = new DateOnly(2026, 12, 3), CreatedAt = Created, UpdatedAt = Created, Version = 3,
    };

    private static readonly Referral Referral = new()
    {
        Id = Guid.Parse("0193f0a0-0000-7000-8000-000000000003"), EpisodeId = Episode.Id, ProviderOds = "EXS2SN", RequesterPrisonCode = "ONI",
        TaskStatus = "in-progress", Version = 3, CreatedAt = Created, UpdatedAt = Created.AddDays(13),
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> Cases => ["ServiceRequest", "Task", "Patient", "Organization-provider", "Organization-prison"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_mapping_produces_the_reviewed_resource(string name)
    {
        Resource resource = name switch
        {
            "ServiceRequest" => Mapper.ServiceRequest(Referral, Episode),
            "Task" => Mapper.Task(Referral, Episode),
            "Patient" => Mapper.Patient(Person),
            "Organization-provider" => Mapper.Organization("EXS2SN")!,
            _ => Mapper.Organization("EXONI")!,
        };
        var actual = JsonNode.Parse(FhirJson.Serialize(resource))!.ToJsonString(Indented) + "\n";
        var path = Path.Combine(RepositoryPaths.Root, "tests", "ContinuityHub.Tests", "Fhir", "Golden", $"{name}.json");

        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1") File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"No golden file {path}: run UPDATE_GOLDEN=1 dotnet test and review it.");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    [Fact]
    public void The_golden_files_are_valid_R4() =>
        Assert.All(FhirValidator.Validate(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "ContinuityHub.Tests", "Fhir", "Golden"), "*.json")
            .Select(File.ReadAllText)), errors => Assert.Empty(errors));
}
