using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ContinuityHub.Features.Releases;

/// <summary>
/// The documented CSV layout of a release batch (docs/releases-csv.md): one release a row, a header row
/// naming the columns (any order), each column mapped to the same JSON field a single notification uses,
/// so every row is validated exactly like <c>POST /api/v1/releases</c>.
/// </summary>
public static class CsvReleaseRows
{
    private enum Kind { Text, Boolean, Number, List }

    private sealed record Column(string Name, string Pointer, Kind Kind, bool Required);

    private static readonly Column[] Columns =
    [
        new("notificationId", "/notificationId", Kind.Text, true),
        new("source", "/source", Kind.Text, false),
        new("nomsNumber", "/person/nomsNumber", Kind.Text, true),
        new("nhsNumber", "/person/nhsNumber", Kind.Text, false),
        new("crn", "/person/crn", Kind.Text, false),
        new("pncNumber", "/person/pncNumber", Kind.Text, false),
        new("givenName", "/person/givenName", Kind.Text, true),
        new("familyName", "/person/familyName", Kind.Text, true),
        new("dateOfBirth", "/person/dateOfBirth", Kind.Text, true),
        new("gender", "/person/gender", Kind.Text, false),
        new("prisonCode", "/release/prisonCode", Kind.Text, true),
        new("releaseDate", "/release/releaseDate", Kind.Text, true),
        new("status", "/release/status", Kind.Text, true),
        new("releaseType", "/release/releaseType", Kind.Text, false),
        new("postcode", "/release/destination/postcode", Kind.Text, false),
        new("localAuthorityCode", "/release/destination/localAuthorityCode", Kind.Text, false),
        new("noFixedAbode", "/release/destination/noFixedAbode", Kind.Boolean, false),
        new("substances", "/treatmentNeed/substances", Kind.List, true),
        new("inTreatmentInCustody", "/treatmentNeed/inTreatmentInCustody", Kind.Boolean, false),
        new("ostMedication", "/treatmentNeed/ost/medication", Kind.Text, false),
        new("ostDailyDoseMg", "/treatmentNeed/ost/dailyDoseMg", Kind.Number, false),
        new("ostLastDoseDate", "/treatmentNeed/ost/lastDoseDate", Kind.Text, false),
        new("ostBridgingPrescription", "/treatmentNeed/ost/bridgingPrescription", Kind.Boolean, false),
        new("naloxoneIssued", "/treatmentNeed/naloxoneIssued", Kind.Boolean, false),
        new("consentToShare", "/treatmentNeed/consentToShare", Kind.Boolean, true),
        new("prisonTeamEmail", "/contacts/prisonTeamEmail", Kind.Text, false),
        new("probationPractitionerName", "/contacts/probationPractitioner/name", Kind.Text, false),
        new("probationPractitionerEmail", "/contacts/probationPractitioner/email", Kind.Text, false),
        new("probationPduCode", "/contacts/probationPractitioner/pduCode", Kind.Text, false),
    ];

    public static IReadOnlyList<string> ColumnNames { get; } = Columns.Select(c => c.Name).ToList();

    /// <summary>The downloadable template: the header row of every column, in the documented order.</summary>
    public static string Template() => string.Join(",", ColumnNames) + "\r\n";

    /// <summary>The CSV column that holds the field at a JSON pointer (or under it), for row-level messages.</summary>
    public static string? ColumnFor(string pointer) =>
        Columns.FirstOrDefault(c => pointer == c.Pointer || pointer.StartsWith(c.Pointer + "/", StringComparison.Ordinal))?.Name;

    /// <summary>Problems with the header itself: a batch with an unknown or missing column is refused whole.</summary>
    public static IReadOnlyList<string> HeaderProblems(IReadOnlyList<string> header)
    {
        var problems = new List<string>();
        foreach (var name in header.Where(h => !ColumnNames.Contains(h)))
            problems.Add($"unknown column '{name}'.");
        foreach (var name in header.GroupBy(h => h).Where(g => g.Count() > 1).Select(g => g.Key))
            problems.Add($"column '{name}' appears twice.");
        foreach (var column in Columns.Where(c => c.Required && !header.Contains(c.Name)))
            problems.Add($"required column '{column.Name}' is missing.");
        return problems;
    }

    /// <summary>Builds the JSON notification for one row; empty cells are left out. Values that do not
    /// parse as their type are passed through as text so the validator names them.</summary>
    public static JsonObject ToNotification(IReadOnlyList<string> header, IReadOnlyList<string> cells)
    {
        var root = new JsonObject();
        for (var i = 0; i < header.Count && i < cells.Count; i++)
        {
            var column = Columns.First(c => c.Name == header[i]);
            var cell = cells[i].Trim();
            if (cell.Length == 0 && column.Kind != Kind.List) continue;
            JsonNode? value = column.Kind switch
            {
                Kind.Boolean when bool.TryParse(cell, out var flag) => JsonValue.Create(flag),
                Kind.Number when decimal.TryParse(cell, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
                Kind.List => new JsonArray(cell.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                _ => JsonValue.Create(cell),
            };
            Set(root, column.Pointer, value);
        }
        return root;
    }

    private static void Set(JsonObject root, string pointer, JsonNode? value)
    {
        var parts = pointer.Trim('/').Split('/');
        var node = root;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child) node[part] = child = new JsonObject();
            node = child;
        }
        node[parts[^1]] = value;
    }

    /// <summary>RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    public static IEnumerable<(int Line, List<string> Cells)> Parse(string text)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var inQuotes = false;
        var line = 1;
        var recordLine = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') inQuotes = false;
                else { if (c == '\n') line++; cell.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"': inQuotes = true; break;
                case ',': cells.Add(cell.ToString()); cell.Clear(); break;
                case '\r': break;
                case '\n':
                    cells.Add(cell.ToString()); cell.Clear();
                    if (cells.Any(v => v.Length > 0)) yield return (recordLine, cells);
                    cells = [];
                    line++;
                    recordLine = line;
                    break;
                default: cell.Append(c); break;
            }
        }
        cells.Add(cell.ToString());
        if (cells.Any(v => v.Length > 0)) yield return (recordLine, cells);
    }
}
