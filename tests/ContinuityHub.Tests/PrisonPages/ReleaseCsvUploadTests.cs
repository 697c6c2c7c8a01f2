using System.Text;
using ContinuityHub.Features.Releases;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace ContinuityHub.Tests.PrisonPages;

/// <summary>The upload page's file checks, and its template against docs/releases-csv.md.</summary>
public sealed class ReleaseCsvUploadTests
{
    private static FormFile File(byte[] content, string name = "releases.csv", string contentType = "text/csv") =>
        new(new MemoryStream(content), 0, content.Length, "file", name) { Headers = new HeaderDictionary(), ContentType = contentType };

    [Fact]
    public async Task A_missing_empty_oversized_or_non_CSV_file_is_refused_with_one_message()
    {
        var csv = Encoding.UTF8.GetBytes(CsvReleaseRows.Template());

        Assert.Equal("Select a CSV file of releases.", (await ReleaseCsvUpload.ReadAsync(null, 1024, default)).Problem);
        Assert.Equal("The selected file is empty.", (await ReleaseCsvUpload.ReadAsync(File([]), 1024, default)).Problem);
        Assert.StartsWith("The selected file must be smaller than", (await ReleaseCsvUpload.ReadAsync(File(new byte[2 * 1024 * 1024]), 1024 * 1024, default)).Problem);
        Assert.Equal("The selected file must be a CSV.", (await ReleaseCsvUpload.ReadAsync(File(csv, "releases.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), 1024, default)).Problem);
        // A spreadsheet (a zip) renamed .csv.
        Assert.StartsWith("The selected file must be a CSV", (await ReleaseCsvUpload.ReadAsync(File([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00]), 1024, default)).Problem);

        var (body, problem) = await ReleaseCsvUpload.ReadAsync(File(csv, "releases.CSV", "application/octet-stream"), 1024, default);
        Assert.Null(problem);
        Assert.Equal(csv, body);
    }

    [Fact]
    public void The_template_has_exactly_the_columns_docs_releases_csv_md_documents()
    {
        var documented = System.IO.File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs/releases-csv.md"))
            .Where(line => line.StartsWith("| ") && !line.StartsWith("| column") && !line.StartsWith("|---"))
            .SelectMany(line => line.Split('|')[1].Split(',').Select(c => c.Trim()))
            .ToList();
        var header = CsvReleaseRows.Template().TrimEnd('\r', '\n').Split(',');

        Assert.Equal(documented.Order(), header.Order());
        Assert.Equal(header, CsvReleaseRows.ColumnNames);
        Assert.Empty(CsvReleaseRows.HeaderProblems(header));
    }
}
