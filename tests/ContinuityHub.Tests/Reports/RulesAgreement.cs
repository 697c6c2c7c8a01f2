using System.Text.Json;
using ContinuityHub.Data;
using ContinuityHub.Features.Measure;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Reports;

/// <summary>What <see cref="EngagementRules.Classify"/> says of each episode in the database, counted as the report counts.</summary>
public static class RulesAgreement
{
    public sealed record Expected(int Cohort, int Engaged, int NotEngaged, int Pending, int Excluded);

    public static async Task<List<(Episode Episode, EngagementOutcome Outcome)>> ClassifyAllAsync(HubFactory hub, DateOnly from, DateOnly to, DateOnly asOf)
    {
        await using var db = hub.Db();
        var episodes = await db.Episodes.AsNoTracking().Where(e => e.ReleaseDate >= from && e.ReleaseDate <= to).ToListAsync();
        return episodes.Select(e => (e, EngagementRules.Classify(EngagementFacts.Of(e), asOf))).Where(x => x.Item2 != EngagementOutcome.NotInCohort).ToList();
    }

    public static Expected Count(IEnumerable<EngagementOutcome> outcomes)
    {
        var list = outcomes.ToList();
        return new Expected(list.Count, list.Count(o => o == EngagementOutcome.Engaged), list.Count(o => o == EngagementOutcome.NotEngaged),
            list.Count(o => o == EngagementOutcome.Pending), list.Count(o => o == EngagementOutcome.Excluded));
    }

    public static Expected Of(JsonElement reportOrGroup) => new(
        reportOrGroup.GetProperty("cohort").GetInt32(), reportOrGroup.GetProperty("engaged").GetInt32(), reportOrGroup.GetProperty("notEngaged").GetInt32(),
        reportOrGroup.GetProperty("pending").GetInt32(), reportOrGroup.GetProperty("excluded").GetInt32());

    /// <summary>The report's totals equal what Classify gives for every episode of the period, one by one.</summary>
    public static async Task AssertReportMatchesRulesAsync(HubFactory hub, JsonElement report)
    {
        var from = DateOnly.Parse(report.GetProperty("from").GetString()!);
        var to = DateOnly.Parse(report.GetProperty("to").GetString()!);
        var asOf = DateOnly.Parse(report.GetProperty("asOf").GetString()!);
        var classified = await ClassifyAllAsync(hub, from, to, asOf);
        Assert.Equal(Count(classified.Select(c => c.Outcome)), Of(report));
    }
}
