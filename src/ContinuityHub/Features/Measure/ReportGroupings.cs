using System.Globalization;
using ContinuityHub.Mappings;

namespace ContinuityHub.Features.Measure;

/// <summary>
/// The breakdowns a report can ask for (contract §7 <c>groupBy</c>): the SQL that gives an episode's key, and
/// the label a reader sees for a key (from the mappings). Each groupBy is its own breakdown of the whole
/// cohort, not a cross-tabulation with the others.
/// </summary>
public static class ReportGroupings
{
    public const string Prison = "prison";
    public const string LocalAuthority = "localAuthority";
    public const string Provider = "provider";
    public const string SubstanceGroup = "substanceGroup";
    public const string Month = "month";

    /// <summary>The key of episodes that lack the value (no prison code, no local authority resolved, …).</summary>
    public const string UnknownKey = "unknown";

    public static readonly IReadOnlyList<string> All = [Prison, LocalAuthority, Provider, SubstanceGroup, Month];

    /// <summary>opiate / non-opiate only / non-opiate and alcohol / alcohol only: the codes <see cref="ReferenceData.SubstanceGroup"/> gives.</summary>
    public static readonly IReadOnlyDictionary<string, string> SubstanceGroupLabels = new Dictionary<string, string>
    {
        ["opiate"] = "Opiate",
        ["non-opiate-only"] = "Non-opiate only",
        ["non-opiate-and-alcohol"] = "Non-opiate and alcohol",
        ["alcohol-only"] = "Alcohol only",
    };

    /// <summary>
    /// The SQL expression over <c>episodes e</c> that gives the key. A month is a month number
    /// (year × 12 + month − 1) looked up in <c>@months</c> (see <see cref="MonthNumbers"/>) by the release date's
    /// day in the period: a quarter of the CPU of date_part on every episode of a national report.
    /// </summary>
    public static string SqlKey(string by) => by switch
    {
        Prison => "e.prison_code",
        LocalAuthority => "e.local_authority_code",
        Provider => "e.provider_ods",
        SubstanceGroup => "e.substance_group",
        Month => "(@months)[e.release_date - @from + 1]",
        _ => throw new ArgumentOutOfRangeException(nameof(by), by, "unknown grouping"),
    };

    /// <summary>The month number of each day from <paramref name="from"/> to <paramref name="to"/>, the <c>@months</c> of <see cref="SqlKey"/>.</summary>
    public static int[] MonthNumbers(DateOnly from, DateOnly to)
    {
        var days = to.DayNumber - from.DayNumber + 1;
        var months = new int[Math.Max(days, 0)];
        for (var i = 0; i < months.Length; i++)
        {
            var day = from.AddDays(i);
            months[i] = day.Year * 12 + day.Month - 1;
        }
        return months;
    }

    /// <summary>The key as the report shows it: the code, <c>yyyy-MM</c> for a month, <see cref="UnknownKey"/> for none.</summary>
    public static string Key(string by, object? sqlValue) => sqlValue switch
    {
        null or DBNull => UnknownKey,
        int month when by == Month => MonthKey(month / 12, month % 12 + 1),
        _ => Convert.ToString(sqlValue, CultureInfo.InvariantCulture)!,
    };

    public static string MonthKey(int year, int month) => $"{year:D4}-{month:D2}";

    public static string Label(string by, string key, ReferenceData mappings)
    {
        if (key == UnknownKey) return "Not recorded";
        return by switch
        {
            Prison => mappings.Prisons.TryGetValue(key, out var prison) ? prison.Name : key,
            LocalAuthority => mappings.LocalAuthorities.TryGetValue(key, out var authority) ? authority.Name : key,
            Provider => mappings.Providers.TryGetValue(key, out var provider) ? provider.Name : key,
            SubstanceGroup => SubstanceGroupLabels.GetValueOrDefault(key, key),
            Month => DateOnly.ParseExact(key + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")),
            _ => key,
        };
    }

    /// <summary>
    /// The keys every report shows for a breakdown, even with nothing in them, so that a table or a trend
    /// has no holes: every mapped prison, authority, provider and substance group, every month of the period.
    /// </summary>
    public static IEnumerable<string> ExpectedKeys(string by, DateOnly from, DateOnly to, ReferenceData mappings) => by switch
    {
        Prison => mappings.Prisons.Keys,
        LocalAuthority => mappings.LocalAuthorities.Keys,
        Provider => mappings.Providers.Keys,
        SubstanceGroup => SubstanceGroupLabels.Keys,
        Month => Months(from, to),
        _ => [],
    };

    private static IEnumerable<string> Months(DateOnly from, DateOnly to)
    {
        for (var month = new DateOnly(from.Year, from.Month, 1); month <= to; month = month.AddMonths(1))
            yield return MonthKey(month.Year, month.Month);
    }
}
