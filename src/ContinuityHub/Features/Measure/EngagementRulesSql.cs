using ContinuityHub.Domain;

namespace ContinuityHub.Features.Measure;

/// <summary>
/// The rules of <see cref="EngagementRules.Classify"/> as SQL conditions on one <c>episodes</c> row, for the statements
/// that classify thousands of episodes at once (the engagement report, the probation caseload). Written once here, so
/// every statement applies the same rule; tests hold each statement to <see cref="EngagementRules.Classify"/>.
/// <paramref name="e"/> is the episodes row's alias, <paramref name="asOf"/> the SQL value of the "as of" date.
/// </summary>
public static class EngagementRulesSql
{
    /// <summary>The last day of the window: release date + 21.</summary>
    public static string Deadline(string e) => $"{e}.release_date + {CareWindow.EngageDays}";

    /// <summary>
    /// In the cohort on <paramref name="asOf"/>: <see cref="EngagementReportService.CohortPredicate"/> (whose columns are
    /// unqualified, as its partial index needs: use it where episodes is the only table) and released by then.
    /// </summary>
    public static string InCohort(string e, string asOf) => $"({EngagementReportService.CohortPredicate}) AND {e}.release_date <= {asOf}";

    /// <summary>
    /// Excluded: an exclusion dated on or before day 21 and known by <paramref name="asOf"/>, unless the person engaged (on or
    /// after release) on or before the exclusion's own day.
    /// </summary>
    public static string Excluded(string e, string asOf) =>
        $"{e}.exclusion_reason IS NOT NULL AND {e}.exclusion_date <= {Deadline(e)} AND {e}.exclusion_date <= {asOf} " +
        $"AND NOT coalesce({e}.engaged_on >= {e}.release_date AND {e}.engaged_on <= {e}.exclusion_date, false)";

    /// <summary>Engaged (when not excluded): first engagement on day 0 … day 21, known by <paramref name="asOf"/>.</summary>
    public static string Engaged(string e, string asOf) =>
        $"{e}.engaged_on >= {e}.release_date AND {e}.engaged_on <= {Deadline(e)} AND {e}.engaged_on <= {asOf}";

    /// <summary>Pending (when neither excluded nor engaged): the window is still open on <paramref name="asOf"/>; otherwise not engaged.</summary>
    public static string WindowOpen(string e, string asOf) => $"{asOf} <= {Deadline(e)}";
}
