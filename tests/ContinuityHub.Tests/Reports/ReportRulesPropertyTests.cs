using System.Text.Json;
using ContinuityHub.Data;
using ContinuityHub.Features.Measure;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Reports;

/// <summary>
/// The report's SQL and <see cref="EngagementRules.Classify"/> give the same answers on a large random mix of
/// episodes whose dates cluster on every edge (engagement before release, on day 0, 21, 22; exclusion before,
/// on, after the engagement; reasons without dates; planned dates, need unknown, not-a-release), for several
/// periods and "as of" dates, in total and in every group of every grouping.
/// </summary>
public sealed class ReportRulesPropertyTests(ReportRulesPropertyTests.RandomEpisodes data) : IClassFixture<ReportRulesPropertyTests.RandomEpisodes>
{
    private readonly HubFactory _hub = data.Hub;
    private readonly List<Episode> _episodes = data.Episodes;

    /// <summary>One hub holding the random mix, written straight to the database (the API would refuse most of these edges).</summary>
    public sealed class RandomEpisodes : IAsyncLifetime
    {
        private const int Seed = 20261130;
        private const int EpisodeCount = 4000;
        public HubFactory Hub { get; } = new();
        public List<Episode> Episodes { get; } = [];

        public async Task InitializeAsync()
        {
            var random = new Random(Seed);
            T Pick<T>(params T[] values) => values[random.Next(values.Length)];
            var people = new List<Person>();
            var start = new DateOnly(2024, 1, 1);
            for (var i = 0; i < EpisodeCount; i++)
            {
                var person = new Person { Id = Guid.NewGuid(), NomsNumber = $"P{i:D4}{(char)('A' + i / 10000)}Z", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
                people.Add(person);
                var release = start.AddDays(random.Next(0, 420));
                int[] edges = [-2, -1, 0, 1, 10, 20, 21, 22, 23, 40];
                DateOnly? engaged = random.NextDouble() < 0.4 ? null : release.AddDays(Pick(edges));
                var reason = random.NextDouble() < 0.65 ? null : Pick("died", "returnedToCustody", "removedFromUk", "hospital", "someday-new-reason");
                DateOnly? excluded = reason is null || random.NextDouble() < 0.05 ? null
                    : engaged is { } e && random.NextDouble() < 0.4 ? e.AddDays(Pick(-1, 0, 1)) : release.AddDays(Pick(-1, 0, 5, 21, 22, 30));
                var needKnown = random.NextDouble() < 0.9;
                string[] substances = random.NextDouble() < 0.1 ? [] : [Pick("opiates", "cocaine", "alcohol")];
                Episodes.Add(new Episode
                {
                    Id = Guid.NewGuid(), PersonId = person.Id, NomsNumber = person.NomsNumber,
                    PrisonCode = Pick("ONI", "WDI", "XYZ", null),
                    ReleaseDate = release,
                    ReleaseDateSource = Pick("planned-notification", "released-notification", "hmpps-event", "hmpps-event"),
                    ReleaseClassification = Pick<string?>(null, null, "community-release", "community-release", "died", "removed-from-uk", "hospital", "not-a-release"),
                    LocalAuthorityCode = Pick("E06000061", "E06000062", "E09999999", null),
                    ProviderOds = Pick("EXS2SN", "EXS2SW", "ZZZ", null),
                    NeedKnown = needKnown, Substances = substances,
                    SubstanceGroup = Pick("opiate", "non-opiate-only", "non-opiate-and-alcohol", "alcohol-only", null),
                    // Deliberately unrelated to the dates: the report must never read it.
                    Status = Pick(EpisodeStatus.Open, EpisodeStatus.Engaged, EpisodeStatus.Excluded, EpisodeStatus.NotEngaged),
                    EngagedOn = engaged, ExclusionReason = reason, ExclusionDate = excluded,
                    CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, Version = 1,
                });
            }
            await using var db = Hub.Db();
            db.People.AddRange(people);
            db.Episodes.AddRange(Episodes);
            await db.SaveChangesAsync();
        }

        public async Task DisposeAsync() => await Hub.DisposeAsync();
    }

    public static TheoryData<string, string, string> Questions => new()
    {
        { "2024-01-01", "2025-03-31", "2025-06-30" },   // everything, every window closed
        { "2024-01-01", "2025-03-31", "2024-07-15" },   // half the releases still ahead, some windows open
        { "2024-03-10", "2024-03-20", "2024-03-31" },   // a few days, windows closing one by one
        { "2024-03-10", "2024-03-20", "2024-04-01" },
        { "2024-12-31", "2025-01-01", "2025-01-21" },   // across a year end, on the last day of a window
        { "2024-02-01", "2024-02-29", "2024-01-31" },   // "as of" before the period: nothing yet
    };

    [Fact]
    public void The_mix_holds_every_outcome_and_every_kind_of_episode_left_out()
    {
        var outcomes = _episodes.Select(e => EngagementRules.Classify(EngagementFacts.Of(e), new DateOnly(2024, 7, 15))).ToList();
        Assert.All(Enum.GetValues<EngagementOutcome>(), o => Assert.True(outcomes.Count(x => x == o) > 20, $"{o}: {outcomes.Count(x => x == o)}"));
    }

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task The_reports_SQL_gives_what_Classify_gives_episode_by_episode_in_total_and_in_every_group(string from, string to, string asOf)
    {
        var report = await _hub.ReportAsync(from, to, asOf, "prison", "localAuthority", "provider", "substanceGroup", "month");

        var (fromDate, toDate, asOfDate) = (DateOnly.Parse(from), DateOnly.Parse(to), DateOnly.Parse(asOf));
        var classified = _episodes.Where(e => e.ReleaseDate >= fromDate && e.ReleaseDate <= toDate)
            .Select(e => (Episode: e, Outcome: EngagementRules.Classify(EngagementFacts.Of(e), asOfDate)))
            .Where(x => x.Outcome != EngagementOutcome.NotInCohort).ToList();
        Assert.Equal(RulesAgreement.Count(classified.Select(c => c.Outcome)), RulesAgreement.Of(report));
        var excluded = classified.Where(c => c.Outcome == EngagementOutcome.Excluded).ToList();
        var exclusions = report.GetProperty("exclusions");
        foreach (var reason in new[] { "died", "returnedToCustody", "removedFromUk", "hospital" })
            Assert.Equal(excluded.Count(c => c.Episode.ExclusionReason == reason), exclusions.GetProperty(reason).GetInt32());
        Assert.Equal(EngagementRules.Rate(RulesAgreement.Of(report).Engaged, RulesAgreement.Of(report).NotEngaged),
            report.GetProperty("rate").ValueKind == JsonValueKind.Null ? null : report.GetProperty("rate").GetDecimal());

        var keyOf = new Dictionary<string, Func<Episode, string?>>
        {
            ["prison"] = e => e.PrisonCode,
            ["localAuthority"] = e => e.LocalAuthorityCode,
            ["provider"] = e => e.ProviderOds,
            ["substanceGroup"] = e => e.SubstanceGroup,
            ["month"] = e => e.ReleaseDate.ToString("yyyy-MM"),
        };
        var groups = report.GetProperty("groups").EnumerateArray().ToList();
        foreach (var (by, key) in keyOf)
        {
            var expected = classified.GroupBy(c => key(c.Episode) ?? "unknown").ToDictionary(g => g.Key, g => RulesAgreement.Count(g.Select(c => c.Outcome)));
            var shown = groups.Where(g => g.GetProperty("by").GetString() == by).ToDictionary(g => g.GetProperty("key").GetString()!, RulesAgreement.Of);
            Assert.Empty(expected.Keys.Except(shown.Keys));
            foreach (var (k, counts) in shown)
                Assert.True(counts == expected.GetValueOrDefault(k, new RulesAgreement.Expected(0, 0, 0, 0, 0)), $"{by}={k}: report {counts}, rules {expected.GetValueOrDefault(k)}");
        }
    }
}
