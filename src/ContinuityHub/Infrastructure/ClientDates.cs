using System.Globalization;

namespace ContinuityHub.Infrastructure;

/// <summary>
/// The one range every date and time a client sends must fall in (body fields, query parameters, event
/// times, FHIR periods). The hub adds days and years to dates it is given (windows of 14 and 21 days,
/// financial years, plausibility checks) and converts times to London dates, so a value at the edge of the
/// calendar (0001-01-01, 9999-12-31) would throw far from where it was read; refused here, it is a 400 or
/// 422 naming the parameter instead. The range is wider than any real value (people born after 1900,
/// releases and reports in this century).
/// </summary>
public static class ClientDates
{
    public static readonly DateOnly Earliest = new(1900, 1, 1);
    public static readonly DateOnly Latest = new(2199, 12, 31);

    /// <summary>Said after a parameter's name when a value is outside the range.</summary>
    public static readonly string RangeRule = $"must be between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}.";

    public static bool InRange(DateOnly date) => date >= Earliest && date <= Latest;

    public static bool InRange(DateTimeOffset instant) =>
        instant.UtcDateTime >= Earliest.ToDateTime(TimeOnly.MinValue) && instant.UtcDateTime <= Latest.ToDateTime(TimeOnly.MaxValue);

    /// <summary>A calendar date as yyyy-MM-dd; null when it is not one.</summary>
    public static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    /// <summary>An ISO 8601 date-time (with its offset kept); null when it is not one.</summary>
    public static DateTimeOffset? ParseInstant(string? text, DateTimeStyles styles = DateTimeStyles.RoundtripKind) =>
        DateTimeOffset.TryParse(text?.Trim(), CultureInfo.InvariantCulture, styles, out var instant) ? instant : null;
}
