using System.Globalization;

namespace ContinuityHub.WebUi;

/// <summary>
/// The GOV.UK date input (day, month, year as three fields named <c>{field}-day</c>, <c>-month</c>, <c>-year</c>),
/// read with the design system's messages: what is missing, or that it is not a real date.
/// </summary>
public sealed record DateInput(string? Day, string? Month, string? Year)
{
    public static DateInput From(IFormCollection form, string field) =>
        new(form[field + "-day"].ToString().Trim(), form[field + "-month"].ToString().Trim(), form[field + "-year"].ToString().Trim());

    /// <summary>The date, or the message for the field; <paramref name="what"/> names it ("the date of the first appointment").</summary>
    public (DateOnly? Date, string? Problem) Read(string what)
    {
        var missing = new[] { ("day", Day), ("month", Month), ("year", Year) }.Where(p => string.IsNullOrEmpty(p.Item2)).Select(p => p.Item1).ToList();
        if (missing.Count == 3) return (null, $"Enter {what}");
        if (missing.Count > 0) return (null, $"{Capitalise(what)} must include a {string.Join(" and a ", missing)}");
        if (!int.TryParse(Day, NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !int.TryParse(Month, NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || !int.TryParse(Year, NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || Year!.Length != 4 || month is < 1 or > 12 || year < 1900 || day < 1 || day > DateTime.DaysInMonth(year, month))
            return (null, $"{Capitalise(what)} must be a real date");
        return (new DateOnly(year, month, day), null);
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
