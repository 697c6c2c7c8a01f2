using System.Globalization;

namespace ContinuityHub.Features.Admin;

/// <summary>
/// Reads an ADMIN list's query string: named values checked one by one, every problem kept with its parameter,
/// unknown parameters refused by name (a misspelt filter must not silently list everything).
/// </summary>
public sealed class AdminQuery(IQueryCollection query, IReadOnlyCollection<string> parameters)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public List<(string Parameter, string Detail)> Problems { get; } =
        query.Keys.Where(k => !parameters.Contains(k) && k is not ("page" or "pageSize"))
            .Select(k => (Cut(k), $"is not a parameter of this list; use {string.Join(", ", parameters.Append("page").Append("pageSize"))}."))
            .ToList();

    private string? Value(string name)
    {
        var values = query[name];
        if (values.Count > 1) Problems.Add((name, "may be given once."));
        return values.Count == 0 || string.IsNullOrWhiteSpace(values[0]) ? null : values[0]!.Trim();
    }

    public Guid? Id(string name)
    {
        var text = Value(name);
        if (text is null) return null;
        if (Guid.TryParse(text, out var id)) return id;
        Problems.Add((name, "must be an id (a UUID)."));
        return null;
    }

    public string? Text(string name, int maxLength)
    {
        var text = Value(name);
        if (text is null || text.Length <= maxLength) return text;
        Problems.Add((name, $"may be at most {maxLength} characters."));
        return null;
    }

    public bool? Flag(string name)
    {
        var text = Value(name);
        if (text is null) return null;
        if (bool.TryParse(text, out var flag)) return flag;
        Problems.Add((name, "must be true or false."));
        return null;
    }

    /// <summary>An instant (ISO 8601 with an offset) or a date (midnight UTC), from 1900 to 2199.</summary>
    public DateTimeOffset? Instant(string name)
    {
        var text = Value(name);
        if (text is null) return null;
        DateTimeOffset instant;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            instant = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        else if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant) || !HasOffset(text))
        {
            Problems.Add((name, "must be a date (2026-11-22) or an instant with its offset (2026-11-22T10:00:00Z)."));
            return null;
        }
        if (instant.UtcDateTime.Year is < 1900 or > 2199)
        {
            Problems.Add((name, "must be between the years 1900 and 2199."));
            return null;
        }
        return instant.ToUniversalTime();
    }

    public (int Page, int PageSize) Paging()
    {
        var page = Whole("page", 1, 1_000_000) ?? 1;
        var size = Whole("pageSize", 1, MaxPageSize) ?? DefaultPageSize;
        return (page, size);
    }

    private int? Whole(string name, int min, int max)
    {
        var text = Value(name);
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        Problems.Add((name, $"must be a whole number from {min} to {max}."));
        return null;
    }

    private static bool HasOffset(string text) => text.EndsWith('Z') || text.EndsWith('z') || text.LastIndexOfAny(['+', '-']) > 10;

    private static string Cut(string value) => value.Length <= 40 ? value : value[..40];
}
