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

    // Outcome codes inside the statement: one small integer per episode, so each episode is classified once
    // and counted once (count FILTER per outcome would evaluate the classification once per filter).
    private const int Engaged = 1, NotEngaged = 2, Pending = 3, Died = 4, ReturnedToCustody = 5, RemovedFromUk = 6, Hospital = 7, OtherExclusion = 8;

    public async Task<EngagementReport> ComputeAsync(EngagementReportQuery query, CancellationToken ct)
    {
        var groupBy = query.GroupBy.Distinct().ToList();
        var rows = await QueryAsync(query, groupBy, ct);

        var total = rows.GetValueOrDefault((groupBy.Count, null)) ?? new Counts();
        var groups = new List<EngagementGroup>();
        foreach (var (by, index) in groupBy.Select((by, index) => (by, index)))
        {
            var found = rows.Where(r => r.Key.Grouping == index).ToDictionary(r => r.Key.Key!, r => r.Value);
            var keys = ReportGroupings.ExpectedKeys(by, query.From, query.To, mappings).Concat(found.Keys).Distinct()
                .OrderBy(k => k == ReportGroupings.UnknownKey ? 1 : 0).ThenBy(k => k, StringComparer.Ordinal);
            groups.AddRange(keys.Select(key =>
            {
                var counts = found.GetValueOrDefault(key) ?? new Counts();
                return new EngagementGroup(by, key, ReportGroupings.Label(by, key, mappings), counts.Cohort, counts.Engaged,
                    counts.NotEngaged, counts.Pending, counts.Excluded, EngagementRules.Rate(counts.Engaged, counts.NotEngaged));
            }));
        }

        var target = options.Value.Target;
        var rate = EngagementRules.Rate(total.Engaged, total.NotEngaged);
        return new EngagementReport(MeasureName, query.From, query.To, query.AsOf, CareWindow.EngageDays, target,
            total.Cohort, total.Engaged, total.NotEngaged, total.Pending, total.Excluded,
            new ExclusionCounts(total.Died, total.ReturnedToCustody, total.RemovedFromUk, total.Hospital),
            rate, rate is null ? null : rate >= target,
            EngagementRules.Rate(total.Engaged + total.Pending, total.NotEngaged),
            EngagementRules.Rate(total.Engaged, total.NotEngaged + total.Pending),
            groups);
    }

    /// <summary>
    /// Up to this many groupBys, count per combination of all the keys first and roll those few rows up (the
    /// cheapest way for one or two breakdowns); beyond it the combinations multiply towards one row per
    /// episode, so each breakdown gets its own small hash table in one pass (hashed GROUPING SETS).
    /// </summary>
    public const int MaxCombinedKeys = 2;

    /// <summary>Memory for the hashed GROUPING SETS of three or more breakdowns, so PostgreSQL hashes rather than sorts a national report.</summary>
    private const string GroupingSetsWorkMem = "64MB";

    /// <summary>
    /// The statement. <c>classified</c> gives each episode of the period its keys and its outcome, exactly as
    /// <see cref="EngagementRules.Classify"/> does; the rest counts per (key, outcome) for each groupBy and per
    /// outcome for the total. Each result row: GROUPING bits, the keys, the outcome, the count.
    /// </summary>
    public static string Sql(IReadOnlyList<string> groupBy)
    {
        var keyNames = groupBy.Select((_, i) => $"k{i}").ToList();
        var keys = string.Concat(groupBy.Select((by, i) => $"{ReportGroupings.SqlKey(by)} AS k{i}, "));
        var keyList = string.Concat(keyNames.Select(k => k + ", "));
        var sets = string.Join(", ", keyNames.Select(k => $"({k}, outcome)").Append("(outcome)"));
        // GROUPING(k0, k1, …) has a bit set for each key rolled up; exactly one bit clear = the breakdown by that key.
        var grouping = keyNames.Count == 0 ? "0" : $"GROUPING({string.Join(", ", keyNames)})";
        var classified = $"""
            WITH classified AS (
                SELECT {keys}
                       CASE WHEN {EngagementRulesSql.Excluded("e", "@as_of")}
                            THEN CASE e.exclusion_reason WHEN '{ExclusionReasons.Died}' THEN {Died}
                                      WHEN '{ExclusionReasons.ReturnedToCustody}' THEN {ReturnedToCustody}
                                      WHEN '{ExclusionReasons.RemovedFromUk}' THEN {RemovedFromUk}
                                      WHEN '{ExclusionReasons.Hospital}' THEN {Hospital} ELSE {OtherExclusion} END
                            WHEN {EngagementRulesSql.Engaged("e", "@as_of")} THEN {Engaged}
                            WHEN {EngagementRulesSql.WindowOpen("e", "@as_of")} THEN {Pending}
                            ELSE {NotEngaged} END AS outcome
                  FROM episodes e
                 WHERE e.release_date >= @from AND e.release_date <= @to AND e.release_date <= @as_of
                   AND {CohortPredicate}
            )
            """;
        if (groupBy.Count > MaxCombinedKeys)
            return classified + $"""
                SELECT {grouping} AS grouping, {keyList}outcome, count(*)::int
                  FROM classified
                 GROUP BY GROUPING SETS ({sets})
                """;
        return classified + $"""
            , fine AS (
                SELECT {keyList}outcome, count(*) AS n FROM classified GROUP BY {keyList}outcome
            )
            SELECT {grouping} AS grouping, {keyList}outcome, sum(n)::int
              FROM fine
             GROUP BY GROUPING SETS ({sets})
            """;
    }

    private async Task<Dictionary<(int Grouping, string? Key), Counts>> QueryAsync(EngagementReportQuery query, IReadOnlyList<string> groupBy,
        CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            // A transaction of its own only to scope SET LOCAL: the report reads, it never writes.
            await using var transaction = await connection.BeginTransactionAsync(ct);
            if (groupBy.Count > MaxCombinedKeys)
            {
                await using var workMem = new NpgsqlCommand($"SET LOCAL work_mem = '{GroupingSetsWorkMem}'", connection, transaction);
                await workMem.ExecuteNonQueryAsync(ct);
            }
            await using var command = new NpgsqlCommand(Sql(groupBy), connection, transaction)
            {
                Parameters =
                {
                    new NpgsqlParameter("from", query.From),
                    new NpgsqlParameter("to", query.To),
                    new NpgsqlParameter("as_of", query.AsOf),
                },
            };
            if (groupBy.Contains(ReportGroupings.Month))
                command.Parameters.Add(new NpgsqlParameter("months", ReportGroupings.MonthNumbers(query.From, query.To)));
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new Dictionary<(int, string?), Counts>();
            while (await reader.ReadAsync(ct))
            {
                var (grouping, key) = SetOf(reader, groupBy);
                if (!rows.TryGetValue((grouping, key), out var counts)) rows[(grouping, key)] = counts = new Counts();
                counts.Add(reader.GetInt32(1 + groupBy.Count), reader.GetInt32(2 + groupBy.Count));
            }
            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Which set a result row belongs to (the index of its groupBy, or groupBy.Count for the total) and its key.</summary>
    private static (int Grouping, string? Key) SetOf(DbDataReader reader, IReadOnlyList<string> groupBy)
    {
        var rolledUp = reader.GetInt32(0);
        for (var i = 0; i < groupBy.Count; i++)
        {
            // GROUPING's leftmost argument is its highest bit; a key is present when its bit is clear.
            if ((rolledUp & (1 << (groupBy.Count - 1 - i))) == 0) return (i, ReportGroupings.Key(groupBy[i], reader.GetValue(1 + i)));
        }
        return (groupBy.Count, null);
    }

    private sealed class Counts
    {
        public int Engaged, NotEngaged, Pending, Died, ReturnedToCustody, RemovedFromUk, Hospital, OtherExclusion;
        public int Excluded => Died + ReturnedToCustody + RemovedFromUk + Hospital + OtherExclusion;
        public int Cohort => Engaged + NotEngaged + Pending + Excluded;

        public void Add(int outcome, int n)
        {
            switch (outcome)
            {
                case EngagementReportService.Engaged: Engaged += n; break;
                case EngagementReportService.NotEngaged: NotEngaged += n; break;
                case EngagementReportService.Pending: Pending += n; break;
                case EngagementReportService.Died: Died += n; break;
                case EngagementReportService.ReturnedToCustody: ReturnedToCustody += n; break;
                case EngagementReportService.RemovedFromUk: RemovedFromUk += n; break;
                case EngagementReportService.Hospital: Hospital += n; break;
                default: OtherExclusion += n; break;
            }
        }
    }
}
