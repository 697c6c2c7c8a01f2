namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// docs/screenshots stay unchanged when the tests run again and the pages did not change: the same page with other
/// random NOMS numbers, CRNs, ids and anti-forgery tokens is not written again; a page that changed is.
/// </summary>
public sealed class ScreenshotFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("continuityhub-screenshots-").FullName;

    private static string Page(string noms, string crn, Guid id, string token, string text = "At risk") => $"""
        <html lang="en"><body><main>
          <h1>Caseload</h1>
          <p><a href="/caseload/people/{id}">Robin Atkins</a> {noms} · {crn}</p>
          <form method="post"><input name="__RequestVerificationToken" type="hidden" value="{token}"></form>
          <strong class="govuk-tag">{text}</strong>
        </main></body></html>
        """;

    [Fact]
    public async Task The_same_page_with_other_random_values_is_not_written_again_and_a_changed_page_is()
    {
        var browser = await SharedChromium.BrowserAsync();
        var page = await browser.NewPageAsync();
        var path = Path.Combine(folder, "caseload.png");

        await page.SetContentAsync(Page("A1234BC", "X123456", Guid.NewGuid(), "CfDJ8one"));
        Assert.True(await page.SaveScreenshotToAsync(path));
        var first = await File.ReadAllBytesAsync(path);
        Assert.NotNull(ScreenshotFile.ReadFingerprint(first));

        await page.SetContentAsync(Page("Z0420QK", "P987654", Guid.NewGuid(), "CfDJ8two"));
        Assert.False(await page.SaveScreenshotToAsync(path));
        Assert.Equal(first, await File.ReadAllBytesAsync(path));

        await page.SetContentAsync(Page("Z0420QK", "P987654", Guid.NewGuid(), "CfDJ8two", text: "Engaged"));
        Assert.True(await page.SaveScreenshotToAsync(path));
        Assert.NotEqual(first, await File.ReadAllBytesAsync(path));
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_fingerprint_chunk_keeps_the_PNG_valid_and_reads_back()
    {
        // The smallest PNG: one white pixel.
        const string onePixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAG7buVgAAAABJRU5ErkJggg==";
        var png = Convert.FromBase64String(onePixel);
        var marked = ScreenshotFile.WithFingerprint(png, "abc123");
        Assert.Equal("abc123", ScreenshotFile.ReadFingerprint(marked));
        Assert.Null(ScreenshotFile.ReadFingerprint(png));
        // The chunk's CRC is PNG's (every PNG ends with IEND and the CRC AE 42 60 82), and a browser still decodes the image.
        Assert.Equal(0xAE426082u, ScreenshotFile.Crc32("IEND"u8));
        var page = await (await SharedChromium.BrowserAsync()).NewPageAsync();
        await page.SetContentAsync($"<img alt='' src='data:image/png;base64,{Convert.ToBase64String(marked)}'>");
        Assert.Equal(1, await page.EvaluateAsync<int>("new Promise(done => { const i = document.querySelector('img'); i.complete ? done(i.naturalWidth) : i.onload = () => done(i.naturalWidth); i.onerror = () => done(-1); })"));
        await page.CloseAsync();
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
