using ContinuityHub.Features.Measure;
using ContinuityHub.Features.Referrals;

namespace ContinuityHub.Features.People;

/// <summary>
/// The caseload's statements: each release of the period classified in SQL by the measure's rules
/// (<see cref="EngagementRulesSql"/>) and <see cref="EpisodeStatusView"/>'s "accepted", "days left" and "at risk", then
/// counted per filter, or filtered, ordered (those who most need a nudge first) and paged, so a GET reads the one page
/// it shows and one row of counts instead of every release of the 90 days. A property test holds both to
/// <see cref="EpisodeStatusView.Of"/> episode by episode.
/// Parameters: <c>@today</c>, <c>@since</c>, and <c>@codes</c> (the caller's units) and/or <c>@pdu</c> when
/// <see cref="Where"/> was given them; the page's <c>@status</c>, <c>@skip</c>, <c>@take</c>.
/// </summary>
public static class CaseloadSql
{
    /// <summary>
    /// The releases in the caseload, one row each with its outcome code (as <see cref="EpisodeStatusView.OutcomeCode"/>),
    /// at_risk, accepted, days_left. Outcome is classified over episodes alone (the cohort predicate's columns are
    /// unqualified); the referral is joined after it.
    /// </summary>
    private static string Classified(string where) => $"""
        WITH outcomes AS (
            SELECT e.id, e.release_date,
                   CASE WHEN NOT ({EngagementRulesSql.InCohort("e", "@today")}) THEN 'not-in-cohort'
                        WHEN {EngagementRulesSql.Excluded("e", "@today")} THEN 'excluded'
                        WHEN {EngagementRulesSql.Engaged("e", "@today")} THEN 'engaged'
                        WHEN {EngagementRulesSql.WindowOpen("e", "@today")} THEN 'pending'
                        ELSE 'not-engaged' END AS outcome,
                   greatest(0, {EngagementRulesSql.Deadline("e")} - @today) AS days_left
              FROM episodes e
             WHERE {where}
        ), classified AS (
            SELECT o.id, o.release_date, o.outcome, o.days_left,
                   coalesce(r.task_status IN ('{TaskStatuses.Accepted}', '{TaskStatuses.InProgress}', '{TaskStatuses.Completed}'), false) AS accepted
              FROM outcomes o LEFT JOIN referrals r ON r.episode_id = o.id
        ), flagged AS (
            SELECT c.*, c.outcome = 'pending' AND (NOT c.accepted OR c.days_left <= {EpisodeStatusView.AtRiskDaysLeft}) AS at_risk
              FROM classified c
        )
        """;

    /// <summary>
    /// The caseload's rows: released since <c>@since</c>, in the caller's units (none named: every unit) and in the one
    /// unit chosen. Units compared in capitals, as <see cref="Security.CallerScope"/> holds them, on the generated column of
    /// <see cref="CaseloadIndex"/> (its index serves exactly this).
    /// </summary>
    public static string Where(bool limitToCodes, bool onePdu) =>
        "e.release_date >= @since"
        + (limitToCodes ? $" AND e.{CaseloadIndex.Column} = ANY(@codes)" : "")
        + (onePdu ? $" AND e.{CaseloadIndex.Column} = @pdu" : "");

    /// <summary>One row: how many releases in all and for each of <see cref="PeopleStatus.StatusFilters"/>, in that order.</summary>
    public static string Counts(string where) => Classified(where) + """
        SELECT count(*)::int,
               count(*) FILTER (WHERE at_risk)::int,
               count(*) FILTER (WHERE outcome = 'pending')::int,
               count(*) FILTER (WHERE outcome = 'engaged')::int,
               count(*) FILTER (WHERE outcome = 'not-engaged')::int,
               count(*) FILTER (WHERE outcome = 'excluded')::int
          FROM flagged
        """;

    /// <summary>
    /// The ids of one page of the releases <c>@status</c> takes (null: all; <c>at-risk</c>, or an outcome code), those
    /// who most need a nudge first: still pending, nobody has accepted, fewest days left (so every at-risk release comes
    /// first), then by release date and id.
    /// </summary>
    public static string Page(string where) => Classified(where) + $"""
        SELECT id
          FROM flagged
         WHERE @status::text IS NULL OR (CASE WHEN @status = '{PeopleStatus.AtRisk}' THEN at_risk ELSE outcome = @status END)
         ORDER BY CASE WHEN outcome = 'pending' THEN 0 ELSE 1 END, CASE WHEN accepted THEN 1 ELSE 0 END, days_left, release_date, id
         LIMIT @take OFFSET @skip
        """;
}
