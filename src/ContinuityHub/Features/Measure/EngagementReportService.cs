using System.Data.Common;
using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Mappings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContinuityHub.Features.Measure;

/// <summary>
/// Computes the engagement report (contract §7) in one SQL statement over <c>episodes</c>: the rules of
/// <see cref="EngagementRules.Classify"/> written as SQL, applied to every episode released in the period,
/// counted per outcome, and rolled up into the total and each requested breakdown. It reads only the dates
/// and classifications in the records, never <c>episodes.status</c> or any job state; tests hold it to
/// <see cref="EngagementRules.Classify"/> on hand-built and random mixes.
/// </summary>
public sealed class EngagementReportService(HubDbContext db, ReferenceData mappings, IOptions<MeasureOptions> options)
{
    public const string MeasureName = "continuity-of-care-21-days";

    /// <summary>
    /// Which episodes can be in the cohort at all, whatever the period and "as of" date: a confirmed
    /// community release (<see cref="EngagementFacts.Of"/>) with a treatment need. Kept as one string because
    /// the partial index of migration 0006 carries exactly this predicate, so the planner can see the index covers the query.
    /// </summary>
    public const string CohortPredicate =
        "need_known AND cardinality(substances) > 0 AND release_date_source <> 'planned-notification' " +
        "AND (release_classification IS NULL OR release_classification IN ('community-release', 'died', 'removed-from-uk', 'hospital'))";

    // Outcome codes inside the statement.
    private const int Engaged = 1, NotEngaged = 2, Pending = 3, Excluded = 4;

    public async Task<EngagementReport> ComputeAsync(EngagementReportQuery query, CancellationToken ct)
    {
        var groupBy = query.GroupBy.Distinct().ToList();
        var rows = await QueryAsync(query, groupBy, ct);

        var total = rows.SingleOrDefault(r => r.Grouping == groupBy.Count) ?? Counts.Empty(null);
        var groups = new List<EngagementGroup>();
        foreach (var (by, index) in groupBy.Select((by, index) => (by, index)))
        {
            var found = rows.Where(r => r.Grouping == index).ToDictionary(r => r.Key!, r => r);
            var keys = ReportGroupings.ExpectedKeys(by, query.From, query.To, mappings).Concat(found.Keys).Distinct()
                .OrderBy(k => k == ReportGroupings.UnknownKey ? 1 : 0).ThenBy(k => k, StringComparer.Ordinal);
            groups.AddRange(keys.Select(key =>
            {
                var counts = found.GetValueOrDefault(key) ?? Counts.Empty(key);
                return new EngagementGroup(by, key, ReportGroupings.Label(by, key, mappings), counts.Cohort, counts.Engaged,
                    counts.NotEngaged, counts.Pending, counts.Excluded, EngagementRules.Rate(counts.Engaged, counts.NotEngaged));
            }));
        }

        var target = options.Value.Target;
        var rate = EngagementRules.Rate(total.Engaged, total.NotEngaged);
        return new EngagementReport(MeasureName, query.From, query.To, query.AsOf, EngagementRules.WindowDays, target,
            total.Cohort, total.Engaged, total.NotEngaged, total.Pending, total.Excluded,
            new ExclusionCounts(total.Died, total.ReturnedToCustody, total.RemovedFromUk, total.Hospital),
            rate, rate is null ? null : rate >= target,
            EngagementRules.Rate(total.Engaged + total.Pending, total.NotEngaged),
            EngagementRules.Rate(total.Engaged, total.NotEngaged + total.Pending),
            groups);
    }

    /// <summary>
    /// The statement: classify each episode (inner select), count per finest combination of the requested
    /// keys (parallel-friendly), then roll the few resulting rows up into the total and one set per groupBy.
    /// </summary>
    public static string Sql(IReadOnlyList<string> groupBy)
    {
        var keys = groupBy.Select((by, i) => $"{ReportGroupings.SqlKey(by)} AS k{i}").ToList();
        var keyNames = groupBy.Select((_, i) => $"k{i}").ToList();
        var keyList = string.Concat(keyNames.Select(k => k + ", "));
        var sets = string.Join(", ", keyNames.Select(k => $"({k})").Append("()"));
        // GROUPING(k0, k1, …) has a bit set for each key rolled up; one key left = the breakdown by that key.
        var grouping = keyNames.Count == 0 ? "0" : $"GROUPING({string.Join(", ", keyNames)})";
        var window = EngagementRules.WindowDays;
        return $"""
            WITH classified AS (
                SELECT {string.Concat(keys.Select(k => k + ", "))}e.exclusion_reason,
                       CASE WHEN x.excluded_on IS NOT NULL AND (x.engaged_on IS NULL OR x.engaged_on > x.excluded_on) THEN {Excluded}
                            WHEN x.engaged_on IS NOT NULL THEN {Engaged}
                            WHEN @as_of <= e.release_date + {window} THEN {Pending}
                            ELSE {NotEngaged} END AS outcome
                  FROM episodes e
                  CROSS JOIN LATERAL (SELECT
                       CASE WHEN e.engaged_on >= e.release_date AND e.engaged_on <= e.release_date + {window} AND e.engaged_on <= @as_of
                            THEN e.engaged_on END AS engaged_on,
                       CASE WHEN e.exclusion_reason IS NOT NULL AND e.exclusion_date <= e.release_date + {window} AND e.exclusion_date <= @as_of
                            THEN e.exclusion_date END AS excluded_on) x
                 WHERE e.release_date >= @from AND e.release_date <= @to AND e.release_date <= @as_of
                   AND {CohortPredicate}
            ), fine AS (
                SELECT {keyList}
                       count(*) FILTER (WHERE outcome = {Engaged}) AS engaged,
                       count(*) FILTER (WHERE outcome = {NotEngaged}) AS not_engaged,
                       count(*) FILTER (WHERE outcome = {Pending}) AS pending,
                       count(*) FILTER (WHERE outcome = {Excluded}) AS excluded,
                       count(*) FILTER (WHERE outcome = {Excluded} AND exclusion_reason = '{ExclusionReasons.Died}') AS died,
                       count(*) FILTER (WHERE outcome = {Excluded} AND exclusion_reason = '{ExclusionReasons.ReturnedToCustody}') AS returned_to_custody,
                       count(*) FILTER (WHERE outcome = {Excluded} AND exclusion_reason = '{ExclusionReasons.RemovedFromUk}') AS removed_from_uk,
                       count(*) FILTER (WHERE outcome = {Excluded} AND exclusion_reason = '{ExclusionReasons.Hospital}') AS hospital
                  FROM classified
                 {(keyNames.Count == 0 ? "" : "GROUP BY " + string.Join(", ", keyNames))}
            )
            SELECT {grouping} AS grouping, {keyList}
                   sum(engaged)::int, sum(not_engaged)::int, sum(pending)::int, sum(excluded)::int,
                   sum(died)::int, sum(returned_to_custody)::int, sum(removed_from_uk)::int, sum(hospital)::int
              FROM fine
             GROUP BY GROUPING SETS ({sets})
            """;
    }

    private async Task<List<Counts>> QueryAsync(EngagementReportQuery query, IReadOnlyList<string> groupBy, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand(Sql(groupBy), connection)
            {
                Parameters =
                {
                    new NpgsqlParameter("from", query.From),
                    new NpgsqlParameter("to", query.To),
                    new NpgsqlParameter("as_of", query.AsOf),
                },
            };
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<Counts>();
            while (await reader.ReadAsync(ct)) rows.Add(Read(reader, groupBy));
            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>One result row: which set it belongs to (the index of its groupBy, or groupBy.Count for the total), its key, its counts.</summary>
    private static Counts Read(DbDataReader reader, IReadOnlyList<string> groupBy)
    {
        var rolledUp = reader.GetInt32(0);
        var grouping = groupBy.Count;
        string? key = null;
        for (var i = 0; i < groupBy.Count; i++)
        {
            // GROUPING's leftmost argument is its highest bit; a key is present when its bit is clear.
            if ((rolledUp & (1 << (groupBy.Count - 1 - i))) != 0) continue;
            grouping = i;
            key = ReportGroupings.Key(groupBy[i], reader.GetValue(1 + i));
        }
        var c = 1 + groupBy.Count;
        int At(int offset) => reader.IsDBNull(c + offset) ? 0 : reader.GetInt32(c + offset);
        return new Counts(grouping, key, At(0), At(1), At(2), At(3), At(4), At(5), At(6), At(7));
    }

    private sealed record Counts(int Grouping, string? Key, int Engaged, int NotEngaged, int Pending, int Excluded,
        int Died, int ReturnedToCustody, int RemovedFromUk, int Hospital)
    {
        public int Cohort => Engaged + NotEngaged + Pending + Excluded;
        public static Counts Empty(string? key) => new(-1, key, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
