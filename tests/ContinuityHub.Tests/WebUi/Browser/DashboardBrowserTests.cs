using ContinuityHub.Security;
using ContinuityHub.Tests.Reports;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>Issue #11 item 5: the commissioners' dashboard in the GOV.UK design, with figures, in a real browser.</summary>
public sealed class DashboardBrowserTests(DashboardBrowserTests.Releases hub) : IClassFixture<DashboardBrowserTests.Releases>
{
    /// <summary>As DashboardTests: 2 of 3 decided engaged (66.7 %), one release still within its 21 days.</summary>
    public sealed class Releases : BrowserHub
    {
        protected override async Task SeedAsync()
        {
            await this.EngageAsync(await this.ReleasedAsync("2026-09-05"), "2026-09-20");
            await this.EngageAsync(await this.ReleasedAsync("2026-10-01", postcode: "NN1 1AA"), "2026-10-10", MeasureScenarios.WestProvider);
            await this.ReleasedAsync("2026-10-01");
            await this.ReleasedAsync("2026-11-15");
        }
    }

    [Fact]
    public async Task The_dashboard_shows_the_rate_against_the_target_with_its_bounds_chart_and_download_and_passes_axe()
    {
        var page = await hub.SignedInPageAsync(HubRoles.Commissioner, name: "Casey Commissioner");

        Assert.Equal(hub.BaseUrl + "/dashboard", page.Url);
        var main = await page.MainTextAsync();
        Assert.Contains("66.7%", main);
        Assert.Contains("Below the 75% target by 8.3 percentage points", main);
        Assert.Contains("between 50.0% (none engages) and 75.0% (all engage)", main);
        Assert.Equal("Target 75%", (await page.TextContentAsync("svg text:has-text('Target')"))!.Trim());
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("a:has-text('Download these figures (CSV)')"));
        Assert.EndsWith(".csv", download.SuggestedFilename);
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("dashboard");
    }
}
