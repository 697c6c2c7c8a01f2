using System.Globalization;
using System.Text;

namespace ContinuityHub.Features.Measure;

/// <summary>
/// The report as CSV (RFC 4180): a header row, then a total row (<c>by</c> = <c>total</c>) so the file stands
/// on its own, then one row per group in the order of the JSON <c>groups</c>.
/// </summary>
public static class EngagementReportCsv
{
    public const string MediaType = "text/csv";

    public static readonly IReadOnlyList<string> Columns = ["by", "key", "label", "cohort", "engaged", "notEngaged", "pending", "excluded", "rate"];

    public static string Write(EngagementReport report)
    {
        var csv = new StringBuilder();
        Row(csv, Columns);
        Row(csv, ["total", "total", $"All releases {report.From:yyyy-MM-dd} to {report.To:yyyy-MM-dd} as of {report.AsOf:yyyy-MM-dd}",
            Number(report.Cohort), Number(report.Engaged), Number(report.NotEngaged), Number(report.Pending), Number(report.Excluded), Rate(report.Rate)]);
        foreach (var g in report.Groups)
            Row(csv, [g.By, g.Key, g.Label, Number(g.Cohort), Number(g.Engaged), Number(g.NotEngaged), Number(g.Pending), Number(g.Excluded), Rate(g.Rate)]);
        return csv.ToString();
    }

    public static string FileName(EngagementReport report) =>
        $"engagement-{report.From:yyyy-MM-dd}-to-{report.To:yyyy-MM-dd}-as-of-{report.AsOf:yyyy-MM-dd}.csv";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Rate(decimal? rate) => rate?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "";

    private static void Row(StringBuilder csv, IEnumerable<string> fields)
    {
        csv.AppendJoin(',', fields.Select(Field));
        csv.Append("\r\n");
    }

    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
