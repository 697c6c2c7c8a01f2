using ContinuityHub.Data;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContinuityHub.Tests.Platform;

/// <summary>The hand-batched reads on the intake path must give the same entities EF Core's own queries give.</summary>
public sealed class EntityRowReaderTests
{
    private readonly string connectionString = TestPostgres.CreateDatabase();

    [Fact]
    public async Task Every_property_of_a_person_and_an_episode_reads_back_as_EF_reads_it()
    {
        var now = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
        var person = new Person
        {
            Id = Guid.CreateVersion7(), NomsNumber = "A1234BC", Crn = "X123456", NhsNumber = "9434765919", PncNumber = "2001/0123456F",
            GivenName = "Sam", FamilyName = "Example", DateOfBirth = new DateOnly(1985, 3, 14), Gender = "male", CreatedAt = now, UpdatedAt = now,
        };
        var episode = new Episode
        {
            Id = Guid.CreateVersion7(), PersonId = person.Id, NomsNumber = person.NomsNumber, PrisonCode = "ONI", ReleaseDate = new DateOnly(2026, 12, 1),
            ReleaseDateSource = "planned-notification", ReleaseType = "licence", ReleaseClassification = "community-release", MovementReasonCode = "CR",
            MovementReasonUnknown = true, DestinationPostcode = "NN17 1AA", DestinationLocalAuthorityCode = "E06000061", NoFixedAbode = true,
            LocalAuthorityCode = "E06000061", ProviderOds = "EXS2SN", NeedKnown = true, Substances = ["opiates", "crack"], SubstanceGroup = "opiate",
            InTreatmentInCustody = true, OstMedication = "methadone", OstDailyDoseMg = 60.5m, OstLastDoseDate = new DateOnly(2026, 11, 30),
            OstBridgingPrescription = false, NaloxoneIssued = true, ConsentToShare = true, PrisonTeamEmail = "a@example.nhs.uk",
            ProbationPractitionerName = "Jo", ProbationPractitionerEmail = "jo@example.gov.uk", PduCode = "N56NNE", Status = "engaged",
            EngagedOn = new DateOnly(2026, 12, 3), ExclusionReason = "died", ExclusionDate = new DateOnly(2026, 12, 9), CreatedAt = now, UpdatedAt = now, Version = 7,
        };
        await using (var db = NewContext())
        {
            db.AddRange(person, episode);
            await db.SaveChangesAsync();
        }

        await using var efContext = NewContext();
        var efPerson = await efContext.People.AsNoTracking().SingleAsync();
        var efEpisode = await efContext.Episodes.AsNoTracking().SingleAsync();

        await using var context = NewContext();
        await context.Database.OpenConnectionAsync();
        var connection = (NpgsqlConnection)context.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SELECT {EntityRowReader<Person>.Columns(context)} FROM people"),
                new NpgsqlBatchCommand($"SELECT {EntityRowReader<Episode>.Columns(context)} FROM episodes"),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync();
        var readPerson = (await EntityRowReader<Person>.ReadAllAsync(context, reader, CancellationToken.None)).Single();
        await reader.NextResultAsync();
        var readEpisode = (await EntityRowReader<Episode>.ReadAllAsync(context, reader, CancellationToken.None)).Single();

        AssertSameProperties(context, efPerson, readPerson);
        AssertSameProperties(context, efEpisode, readEpisode);
        Assert.Equal(EntityState.Unchanged, context.Entry(readEpisode).State);
        Assert.Same(readPerson, readEpisode.Person); // attached, so EF fixed up the navigation
    }

    private static void AssertSameProperties<T>(DbContext db, T expected, T actual) where T : class
    {
        // Shadow properties (the caseload's generated column) have no CLR property: the database computes them, no one reads them back.
        foreach (var property in db.Model.FindEntityType(typeof(T))!.GetProperties().Where(p => p.PropertyInfo is not null))
        {
            var want = property.PropertyInfo!.GetValue(expected);
            var got = property.PropertyInfo!.GetValue(actual);
            if (want is string[] wantArray) Assert.Equal(wantArray, (string[])got!);
            else Assert.True(Equals(want, got), $"{typeof(T).Name}.{property.Name}: expected {want}, read {got}");
        }
    }

    private HubDbContext NewContext() => new(new DbContextOptionsBuilder<HubDbContext>().UseNpgsql(connectionString).Options);
}
