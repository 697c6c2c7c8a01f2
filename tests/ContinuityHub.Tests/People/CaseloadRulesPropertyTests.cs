using System.Security.Claims;
using ContinuityHub.Data;
using ContinuityHub.Features.People;
using ContinuityHub.Security;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.People;

/// <summary>
/// The caseload's SQL (<see cref="CaseloadSql"/>: classify, count, filter, order, page) and the C# rules
/// (<see cref="EpisodeStatusView.Of"/>, the measure's <c>Classify</c>) give the same answers on a large random mix whose
/// dates cluster on every edge (the 90-day boundary, release today and ahead, day 21 and 22, engagement and exclusions
/// before, on and after each other, referrals in every state or none, units in either case): for every filter and
/// scope, the same counts, the same releases and the same order, page after page.
/// </summary>
public sealed class CaseloadRulesPropertyTests(CaseloadRulesPropertyTests.RandomCaseload data) : IClassFixture<CaseloadRulesPropertyTests.RandomCaseload>
{
    /// <summary>One hub (a database of its own) holding the random mix, written straight to the database.</summary>
    public sealed class RandomCaseload : IAsyncLifetime
    {
        private const int Seed = 20261122;
        private const int EpisodeCount = 3000;
        public HubFactory Hub { get; } = new();

        public async Task InitializeAsync()
        {
            var random = new Random(Seed);
            T Pick<T>(params T[] values) => values[random.Next(values.Length)];
            var today = new DateOnly(2026, 11, 22);
            var people = new List<Person>();
            var episodes = new List<Episode>();
            var referrals = new List<Referral>();
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < EpisodeCount; i++)
            {
                var person = new Person { Id = Guid.NewGuid(), NomsNumber = $"C{i:D4}ZZ", CreatedAt = now, UpdatedAt = now };
                people.Add(person);
                // Most releases inside the 90 days; edges at the boundary, on day 21/22 of the window, today and ahead.
                var release = random.NextDouble() < 0.5
                    ? today.AddDays(random.Next(-100, 31))
                    : today.AddDays(Pick(-91, -90, -89, -23, -22, -21, -20, -15, -14, -8, -7, -6, -1, 0, 1));
                int[] edges = [-1, 0, 1, 5, 20, 21, 22, 40];
                DateOnly? engaged = random.NextDouble() < 0.5 ? null : release.AddDays(Pick(edges));
                var reason = random.NextDouble() < 0.75 ? null : Pick("died", "returnedToCustody", "removedFromUk", "hospital");
                DateOnly? excluded = reason is null || random.NextDouble() < 0.05 ? null
                    : engaged is { } e && random.NextDouble() < 0.4 ? e.AddDays(Pick(-1, 0, 1)) : release.AddDays(Pick(-1, 0, 5, 21, 22));
                var episode = new Episode
                {
                    Id = Guid.NewGuid(), PersonId = person.Id, NomsNumber = person.NomsNumber,
                    PrisonCode = "ONI",
                    ReleaseDate = release,
                    ReleaseDateSource = Pick("planned-notification", "released-notification", "hmpps-event", "hmpps-event"),
                    ReleaseClassification = Pick<string?>(null, null, "community-release", "community-release", "died", "hospital", "not-a-release"),
                    NeedKnown = random.NextDouble() < 0.9, Substances = random.NextDouble() < 0.1 ? [] : ["opiates"],
                    ConsentToShare = true,
                    PduCode = Pick<string?>("PRA", "PRA", "prb", "PRB", "PRC", null),
                    // Deliberately unrelated to the dates: the caseload's outcome must never read it.
                    Status = Pick(EpisodeStatus.Open, EpisodeStatus.Engaged, EpisodeStatus.Excluded, EpisodeStatus.NotEngaged),
                    EngagedOn = engaged, ExclusionReason = reason, ExclusionDate = excluded,
                    CreatedAt = now, UpdatedAt = now, Version = 1,
                };
                episodes.Add(episode);
                if (random.NextDouble() < 0.8)
                    referrals.Add(new Referral
                    {
                        Id = Guid.NewGuid(), EpisodeId = episode.Id, ProviderOds = "EXS2SN",
                        TaskStatus = Pick("requested", "requested", "accepted", "accepted", "rejected", "in-progress", "completed", "cancelled", "failed"),
                        CreatedAt = now, UpdatedAt = now,
                    });
            }
            await using var db = Hub.Db();
            db.People.AddRange(people);
            db.Episodes.AddRange(episodes);
            db.Referrals.AddRange(referrals);
            await db.SaveChangesAsync();
        }

        public async Task DisposeAsync() => await Hub.DisposeAsync();
    }

    public static TheoryData<bool, string, string> Scopes => new()
    {
        { true, "", "" },          // every unit (* or ADMIN), none chosen
        { true, "", "PRB" },       // every unit, one chosen (stored as PRB and prb)
        { false, "PRA,PRB", "" },  // two units, both shown
        { false, "PRA,PRB", "PRA" },
        { false, "PRC", "PRC" },
    };

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task The_SQL_counts_filters_and_orders_as_the_CSharp_rules_do_for_every_filter(bool all, string codes, string pdu)
    {
        var scope = ProbationScope(all ? "*" : codes);
        var pduCode = pdu.Length == 0 ? null : pdu;
        var expected = await ExpectedAsync(scope, pduCode);
        Assert.True(expected.Count > 200, $"only {expected.Count} releases in this caseload");

        using var services = data.Hub.Services.CreateScope();
        var people = services.ServiceProvider.GetRequiredService<PeopleStatus>();
        foreach (var status in PeopleStatus.StatusFilters.Prepend(null))
        {
            var want = expected.Where(v => Matches(v, status)).Select(v => v.EpisodeId).ToList();
            var got = new List<Guid>();
            const int take = 97; // pages that do not divide the mix evenly
            CaseloadPage page;
            do
            {
                page = await people.CaseloadAsync(scope, pduCode, status, got.Count, take, CancellationToken.None);
                Assert.Equal(want.Count, page.Total);
                got.AddRange(page.Entries.Select(e => e.View.EpisodeId));
                // The page's views (C#) are what the SQL filter picked.
                Assert.All(page.Entries, e => Assert.True(Matches(e.View, status), $"{e.View.EpisodeId}: {e.View.Outcome}, at risk {e.View.AtRisk}, filter {status}"));
            } while (page.Entries.Count == take);
            Assert.Equal(want, got);

            var counts = page.Counts.ToDictionary(c => c.Status ?? "all", c => c.Count);
            Assert.Equal(expected.Count, counts["all"]);
            foreach (var filter in PeopleStatus.StatusFilters)
                Assert.True(expected.Count(v => Matches(v, filter)) == counts[filter], $"{filter}: SQL {counts[filter]}, C# {expected.Count(v => Matches(v, filter))}");
        }
    }

    [Fact]
    public async Task The_mix_holds_every_outcome_and_at_risk_both_ways()
    {
        var views = await ExpectedAsync(ProbationScope("*"), null);
        foreach (var outcome in new[] { "pending", "engaged", "not-engaged", "excluded", "not-in-cohort" })
            Assert.True(views.Count(v => v.Outcome == outcome) > 20, $"{outcome}: {views.Count(v => v.Outcome == outcome)}");
        Assert.True(views.Count(v => v.AtRisk && v.Accepted) > 10);
        Assert.True(views.Count(v => v.AtRisk && !v.Accepted) > 10);
        Assert.True(views.Count(v => v.Outcome == "pending" && !v.AtRisk) > 10);
    }

    /// <summary>A probation caller's scope with this pdu claim ("*" = every unit).</summary>
    private static CallerScope ProbationScope(string pdu) => CallerScope.Of(new HubUser(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(HubClaims.Roles, HubRoles.Probation), new Claim(HubClaims.Pdu, pdu)], "test"))));

    /// <summary>What the C# rules say: every release in the caseload's period and scope, its view, in the caseload's order.</summary>
    private async Task<List<EpisodeStatusView>> ExpectedAsync(CallerScope scope, string? pduCode)
    {
        var clock = data.Hub.Services.GetRequiredService<TimeProvider>();
        var mappings = data.Hub.Services.GetRequiredService<ReferenceData>();
        var today = LondonTime.Today(clock);
        await using var db = data.Hub.Db();
        var rows = await (from e in db.Episodes.AsNoTracking()
                          join p in db.People.AsNoTracking() on e.PersonId equals p.Id
                          join r in db.Referrals.AsNoTracking() on e.Id equals r.EpisodeId into rs
                          from r in rs.DefaultIfEmpty()
                          select new { e, p, r }).ToListAsync();
        return rows
            .Where(x => x.e.ReleaseDate >= today.AddDays(-PeopleStatus.CaseloadDays))
            // Every unit includes releases with no unit; a unit named or a scope of codes only those with that code.
            .Where(x => scope.AllPdus || (x.e.PduCode is { } code && scope.CoversPdu(code)))
            .Where(x => pduCode is null || x.e.PduCode?.ToUpperInvariant() == pduCode)
            .Select(x => EpisodeStatusView.Of(x.e, x.p, x.r, mappings, clock.GetUtcNow(), today))
            // Those who most need a nudge first: still pending, nobody has accepted, fewest days left, then release date and id.
            .OrderBy(v => v.Outcome == "pending" ? 0 : 1).ThenBy(v => v.Accepted ? 1 : 0).ThenBy(v => v.DaysLeft)
            .ThenBy(v => v.ReleaseDate).ThenBy(v => v.EpisodeId)
            .ToList();
    }

    private static bool Matches(EpisodeStatusView view, string? status) =>
        status is null || (status == PeopleStatus.AtRisk ? view.AtRisk : view.Outcome == status);
}
