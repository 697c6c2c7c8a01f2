using System.Globalization;
using System.Text;
using ContinuityHub.Features.Measure;
using ContinuityHub.WebUi;

namespace ContinuityHub.Features.Dashboard;

/// <summary>The dashboard's HTML: headline against the target, the counts behind it, the trend, the breakdowns.</summary>
public static class DashboardPage
{
    private static readonly (string By, string Heading)[] Tables =
    [
        (ReportGroupings.Prison, "By prison"),
        (ReportGroupings.LocalAuthority, "By local authority"),
        (ReportGroupings.Provider, "By treatment provider"),
        (ReportGroupings.SubstanceGroup, "By substance group"),
    ];

    public static string Render(HttpContext context, EngagementReport report)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <h1>Continuity of care: engaged in treatment within {report.WindowDays} days of release</h1>
            {PeriodForm(report.From, report.To)}
            <p>Releases from {Day(report.From)} to {Day(report.To)}, as of {Day(report.AsOf)}.</p>
            """);
        html.Append(Headline(report));
        html.Append(Counts(report));

        html.Append("<h2>Month by month</h2>");
        var months = Months(report);
        html.Append(TrendChart.Render(months, report.Target));
        html.Append(MonthTable(months));

        foreach (var (by, heading) in Tables)
            html.Append(BreakdownTable(heading, report.Groups.Where(g => g.By == by).ToList()));

        html.Append(CultureInfo.InvariantCulture,
            $"<p><a href=\"{DashboardEndpoints.Path}/engagement.csv?from={report.From:yyyy-MM-dd}&amp;to={report.To:yyyy-MM-dd}\" download>Download these figures (CSV)</a></p>");
        html.Append(SignOut(context));
        return html.ToString();
    }

    public static string Problems(HttpContext context, IReadOnlyList<ReportPeriod.Problem> problems) =>
        "<h1>Continuity of care: engaged in treatment within 21 days of release</h1>" +
        $"<div class=\"problems\" role=\"alert\"><h2>There is a problem</h2><ul>{string.Concat(problems.Select(p => $"<li>{HtmlPage.Encode(p.Detail)}</li>"))}</ul></div>" +
        PeriodForm(null, null) + SignOut(context);

    private static string Headline(EngagementReport report)
    {
        if (report.Rate is not { } rate)
            return "<p class=\"headline\">–</p><p class=\"status\">No outcomes decided yet in this period: nobody's 21 days have ended.</p>";
        var meets = report.MeetsTarget == true;
        var gap = Math.Abs(rate - report.Target) * 100;
        var status = meets
            ? $"✔ Meets the {TrendChart.Percent(report.Target, 0)} target"
            : $"✘ Below the {TrendChart.Percent(report.Target, 0)} target by {gap.ToString("0.0", CultureInfo.InvariantCulture)} percentage points";
        return $"""
            <p class="headline {(meets ? "meets" : "misses")}" aria-describedby="headline-status">{TrendChart.Percent(rate, 1)}</p>
            <p class="status" id="headline-status">{status}</p>
            """;
    }

    private static string Counts(EngagementReport report)
    {
        var e = report.Exclusions;
        var bounds = report.Pending > 0 && report.RateIfAllPendingEngage is { } best && report.RateIfNoPendingEngage is { } worst
            ? $"<p>When the {People(report.Pending)} still within their 21 days {(report.Pending == 1 ? "is" : "are")} decided, the rate will be between {TrendChart.Percent(worst, 1)} (none engages) and {TrendChart.Percent(best, 1)} (all engage).</p>"
            : "";
        return $"""
            <p><strong>{N(report.Engaged)}</strong> of <strong>{N(report.Engaged + report.NotEngaged)}</strong> people whose 21 days are decided engaged in time.</p>
            <table>
              <caption class="hint">Everyone released in the period with a treatment need (the cohort) and where they stand</caption>
              <tr><th scope="row">Cohort</th><td class="n">{N(report.Cohort)}</td></tr>
              <tr><th scope="row">Engaged within 21 days</th><td class="n">{N(report.Engaged)}</td></tr>
              <tr><th scope="row">Not engaged</th><td class="n">{N(report.NotEngaged)}</td></tr>
              <tr><th scope="row">Still within their 21 days</th><td class="n">{N(report.Pending)}</td></tr>
              <tr><th scope="row">Excluded</th><td class="n">{N(report.Excluded)}</td></tr>
              <tr><td>&nbsp;&nbsp;died</td><td class="n">{N(e.Died)}</td></tr>
              <tr><td>&nbsp;&nbsp;back in custody</td><td class="n">{N(e.ReturnedToCustody)}</td></tr>
              <tr><td>&nbsp;&nbsp;removed from the UK</td><td class="n">{N(e.RemovedFromUk)}</td></tr>
              <tr><td>&nbsp;&nbsp;in hospital</td><td class="n">{N(e.Hospital)}</td></tr>
            </table>
            {bounds}
            """;
    }

    /// <summary>Every month of the period, including months with no releases (shown as a gap, not as 0 %).</summary>
    private static List<TrendPoint> Months(EngagementReport report)
    {
        var byKey = report.Groups.Where(g => g.By == ReportGroupings.Month).ToDictionary(g => g.Key);
        var points = new List<TrendPoint>();
        for (var month = new DateOnly(report.From.Year, report.From.Month, 1); month <= report.To; month = month.AddMonths(1))
        {
            var group = byKey.GetValueOrDefault(ReportGroupings.MonthKey(month.Year, month.Month));
            points.Add(new TrendPoint(month.ToString("MMM yy", CultureInfo.InvariantCulture), group?.Rate, group?.Engaged ?? 0,
                (group?.Engaged ?? 0) + (group?.NotEngaged ?? 0)));
        }
        return points;
    }

    private static string MonthTable(IReadOnlyList<TrendPoint> months) =>
        "<table><caption class=\"hint\">The chart's figures</caption><tr><th scope=\"col\">Month of release</th><th class=\"n\" scope=\"col\">Engaged</th>" +
        "<th class=\"n\" scope=\"col\">Decided</th><th class=\"n\" scope=\"col\">Rate</th></tr>" +
        string.Concat(months.Select(m =>
            $"<tr><td>{HtmlPage.Encode(m.Label)}</td><td class=\"n\">{N(m.Engaged)}</td><td class=\"n\">{N(m.Decided)}</td><td class=\"n\">{Rate(m.Rate)}</td></tr>")) +
        "</table>";

    private static string BreakdownTable(string heading, IReadOnlyList<EngagementGroup> groups)
    {
        if (groups.Count == 0) return $"<h2>{HtmlPage.Encode(heading)}</h2><p>No releases in this period.</p>";
        var rows = string.Concat(groups.Select(g =>
            $"<tr><td>{HtmlPage.Encode(g.Label)}</td><td class=\"n\">{N(g.Cohort)}</td><td class=\"n\">{N(g.Engaged)}</td><td class=\"n\">{N(g.NotEngaged)}</td>" +
            $"<td class=\"n\">{N(g.Pending)}</td><td class=\"n\">{N(g.Excluded)}</td><td class=\"n\">{Rate(g.Rate)}</td></tr>"));
        return $"""
            <h2>{HtmlPage.Encode(heading)}</h2>
            <table>
              <tr><th scope="col">Name</th><th class="n" scope="col">Cohort</th><th class="n" scope="col">Engaged</th><th class="n" scope="col">Not engaged</th>
                  <th class="n" scope="col">Within 21 days</th><th class="n" scope="col">Excluded</th><th class="n" scope="col">Rate</th></tr>
              {rows}
            </table>
            """;
    }

    private static string PeriodForm(DateOnly? from, DateOnly? to) => $"""
        <form method="get" action="{DashboardEndpoints.Path}">
          <label for="from">Released from</label><input type="date" id="from" name="from" value="{from:yyyy-MM-dd}">
          <label for="to">to</label><input type="date" id="to" name="to" value="{to:yyyy-MM-dd}">
          <div><button type="submit">Show</button></div>
        </form>
        """;

    private static string SignOut(HttpContext context) =>
        $"<form method=\"post\" action=\"{Security.UiAuthentication.SignOutPath}\">{HtmlPage.AntiforgeryField(context)}<button>Sign out</button></form>";

    private static string People(int count) => count == 1 ? "1 person" : $"{N(count)} people";
    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
    private static string Rate(decimal? rate) => rate is { } r ? TrendChart.Percent(r, 1) : "–";
    private static string Day(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
}
