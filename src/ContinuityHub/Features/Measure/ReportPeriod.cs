using System.Globalization;
using ContinuityHub.Infrastructure;

namespace ContinuityHub.Features.Measure;

/// <summary>
/// Reads and checks a report's parameters, for the JSON/CSV report and the FHIR $evaluate-measure alike:
/// dates as yyyy-MM-dd, from ≤ to, known and distinct groupings. Every problem is named, not just the first.
/// </summary>
public static class ReportPeriod
{
    /// <summary>The longest period a report covers: more than any real question (the benchmark asks for 15 years), bounding the work.</summary>
    public const int MaxYears = 30;

    public sealed record Problem(string Parameter, string Detail);

    /// <summary>The financial year (1 April – 31 March) that holds <paramref name="day"/>.</summary>
    public static (DateOnly From, DateOnly To) FinancialYear(DateOnly day)
    {
        var startYear = day.Month >= 4 ? day.Year : day.Year - 1;
        return (new DateOnly(startYear, 4, 1), new DateOnly(startYear + 1, 3, 31));
    }

    /// <summary>Builds the query; defaults: the current financial year and today, both by the London date of <paramref name="clock"/>.</summary>
    public static (EngagementReportQuery? Query, List<Problem> Problems) Parse(
        (string Name, string? Value) from, (string Name, string? Value) to, (string Name, string? Value) asOf,
        (string Name, IReadOnlyList<string?> Values) groupBy, TimeProvider clock)
    {
        var problems = new List<Problem>();
        var today = LondonTime.Today(clock);
        var year = FinancialYear(today);
        var fromDate = Date(from, year.From, problems);
        var toDate = Date(to, year.To, problems);
        var asOfDate = Date(asOf, today, problems);
        if (fromDate is { } f && toDate is { } t)
        {
            if (f > t) problems.Add(new(from.Name, $"{from.Name} ({f:yyyy-MM-dd}) is after {to.Name} ({t:yyyy-MM-dd})."));
            else if (f.AddYears(MaxYears) <= t) problems.Add(new(to.Name, $"The period may span at most {MaxYears} years."));
        }

        var groupings = new List<string>();
        foreach (var value in groupBy.Values)
        {
            var name = value?.Trim() ?? "";
            if (!ReportGroupings.All.Contains(name))
                problems.Add(new(groupBy.Name, $"{groupBy.Name} '{Cut(name)}' is not one of {string.Join(", ", ReportGroupings.All)}."));
            else if (groupings.Contains(name))
                problems.Add(new(groupBy.Name, $"{groupBy.Name} '{name}' is given more than once."));
            else groupings.Add(name);
        }

        return problems.Count > 0 || fromDate is null || toDate is null || asOfDate is null
            ? (null, problems)
            : (new EngagementReportQuery(fromDate.Value, toDate.Value, asOfDate.Value, groupings), problems);
    }

    private static DateOnly? Date((string Name, string? Value) parameter, DateOnly fallback, List<Problem> problems)
    {
        if (parameter.Value is null) return fallback;
        if (ClientDates.ParseDate(parameter.Value) is not { } date)
        {
            problems.Add(new(parameter.Name, $"{parameter.Name} '{Cut(parameter.Value)}' is not a date (yyyy-MM-dd)."));
            return null;
        }
        if (ClientDates.InRange(date)) return date;
        problems.Add(new(parameter.Name, $"{parameter.Name} {ClientDates.RangeRule}"));
        return null;
    }

    public static string Cut(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
