using System.Text;
using ContinuityHub.Features.Releases;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>Upload a CSV of releases: the template, per-row results through the batch pipeline, refused files.</summary>
public sealed partial class PrisonPagesBrowserTests
{
    private static string CsvRow(string notificationId, string noms, string prison = "ONI", string nhs = "9434765919", string substances = "opiates;crack")
    {
        var values = new Dictionary<string, string>
        {
            ["notificationId"] = notificationId, ["nomsNumber"] = noms, ["nhsNumber"] = nhs, ["givenName"] = "Cass", ["familyName"] = "Csv",
            ["dateOfBirth"] = "1980-01-02", ["prisonCode"] = prison, ["releaseDate"] = "2026-12-03", ["status"] = "planned",
            ["postcode"] = "NN17 1AA", ["substances"] = substances, ["consentToShare"] = "true",
        };
        return string.Join(",", CsvReleaseRows.ColumnNames.Select(c => values.GetValueOrDefault(c, ""))) + "\r\n";
    }

    private static FilePayload CsvFile(string text, string name = "releases.csv") =>
        new() { Name = name, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(text) };

    [Fact]
    public async Task A_CSV_upload_answers_each_row_through_the_batch_pipeline_naming_the_column_of_each_problem()
    {
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI");
        await page.GotoAsync("/releases");
        await page.ClickAsync("main a:has-text('Upload a CSV of releases')");
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("upload");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("main a:has-text('Download the CSV template')"));
        var template = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Equal(CsvReleaseRows.Template(), template);
        Assert.Equal("releases-template.csv", download.SuggestedFilename);

        var (good, bad, other) = (Notifications.NewNomsNumber(), Notifications.NewNomsNumber(), Notifications.NewNomsNumber());
        var goodId = Guid.NewGuid().ToString();
        var csv = template + CsvRow(goodId, good) + CsvRow(Guid.NewGuid().ToString(), bad, nhs: "9434765918", substances: "opiates;heroin")
            + CsvRow(Guid.NewGuid().ToString(), other, prison: "WDI");
        await page.SetInputFilesAsync("#file", CsvFile(csv));
        await page.ClickAsync("main button:has-text('Upload and send')");

        Assert.Equal("Upload results", (await page.InnerTextAsync("h1")).Trim());
        Assert.Contains("3 rows read. 1 taken in, 0 already received, 2 not accepted.", await page.InnerTextAsync("#upload-summary"));
        var rows = page.Locator("main table tbody tr");
        Assert.Contains("Created", await rows.Nth(0).InnerTextAsync());
        Assert.Contains("Referral sent", await rows.Nth(0).InnerTextAsync());
        var rejected = await rows.Nth(1).InnerTextAsync();
        Assert.Contains("Not accepted", rejected);
        Assert.Contains("Column nhsNumber: must be a 10-digit NHS number with a valid Modulus 11 check digit.", rejected);
        Assert.Contains("Column substances: 'heroin' is not a substance code", rejected);
        Assert.Contains("Prison WDI is outside your token's prisons scope.", await rows.Nth(2).InnerTextAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("upload-results");

        // The same file again: the row taken in is recognised, not taken in twice.
        await page.SetInputFilesAsync("#file", CsvFile(csv));
        await page.ClickAsync("main button:has-text('Upload and send')");
        Assert.Contains("Already received", await page.Locator("main table tbody tr").Nth(0).InnerTextAsync());

        await using var db = hub.Db();
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == good));
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == bad || e.NomsNumber == other));
        Assert.Equal(1, await db.ReleaseNotifications.CountAsync(n => n.NotificationId == Guid.Parse(goodId)));
    }

    [Fact]
    public async Task An_empty_file_a_spreadsheet_or_a_wrong_header_is_refused_whole_and_nothing_is_written()
    {
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI");
        await page.GotoAsync("/releases/upload");

        await page.ClickAsync("main button:has-text('Upload and send')");
        Assert.Contains("Select a CSV file of releases.", await page.InnerTextAsync(".govuk-error-summary"));

        await page.SetInputFilesAsync("#file", CsvFile(""));
        await page.ClickAsync("main button:has-text('Upload and send')");
        Assert.Contains("The selected file is empty.", await page.InnerTextAsync("#file-error"));

        await page.SetInputFilesAsync("#file", new FilePayload { Name = "releases.xlsx", MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Buffer = [0x50, 0x4B, 0x03, 0x04, 0, 0, 0] });
        await page.ClickAsync("main button:has-text('Upload and send')");
        Assert.Contains("The selected file must be a CSV.", await page.InnerTextAsync("#file-error"));

        var noms = Notifications.NewNomsNumber();
        var wrongHeader = CsvReleaseRows.Template().Replace("nomsNumber", "prisonNumber") + CsvRow(Guid.NewGuid().ToString(), noms);
        await page.SetInputFilesAsync("#file", CsvFile(wrongHeader));
        await page.ClickAsync("main button:has-text('Upload and send')");
        var summary = await page.InnerTextAsync(".govuk-error-summary");
        Assert.Contains("The file was not read: CSV header: unknown column 'prisonNumber'.", summary);
        Assert.Contains("required column 'nomsNumber' is missing.", summary);
        Assert.StartsWith("Error: ", await page.TitleAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("upload-errors");

        await using var db = hub.Db();
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
    }
}
