using ContinuityHub.Features.FollowUps;
using ContinuityHub.Security;
using ContinuityHub.Tests.ProviderPush;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// The Hangfire Dashboard at /admin/jobs in a real browser under its own Content-Security-Policy: every page of it
/// renders and runs its scripts (the live counters and chart) with no violation reported by the browser, while the
/// hub's own pages keep the strict policy.
/// </summary>
public sealed class JobDashboardBrowserTests(BrowserHub hub) : IClassFixture<BrowserHub>
{
    /// <summary>Records every CSP violation the browser reports on the page (init scripts run before the page's own, outside its policy).</summary>
    private static async Task<IPage> WatchViolationsAsync(IPage page)
    {
        await page.Context.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e =>
                window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
            """);
        return page;
    }

    private static Task<string[]> ViolationsAsync(IPage page) => page.EvaluateAsync<string[]>("window.__cspViolations");

    [Fact]
    public async Task Every_dashboard_page_runs_under_its_policy_with_no_violation()
    {
        var page = await WatchViolationsAsync(await hub.SignedInPageAsync(HubRoles.Admin));
        var violations = new List<string>();
        foreach (var path in new[] { "", "/jobs/enqueued", "/jobs/succeeded", "/jobs/failed", "/recurring", "/retries", "/servers" })
        {
            var response = await page.GotoAsync(FollowUpDashboard.Path + path);
            Assert.Equal(200, response!.Status);
            Assert.Equal(SecurityHeaders.JobDashboardPolicy, await response.HeaderValueAsync("content-security-policy"));
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            violations.AddRange((await ViolationsAsync(page)).Select(v => $"{path}: {v}"));
        }
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        // The scripts run: deleting a job from a list is a script-driven POST (after a confirm dialog); the job's
        // details page colours its state cards with style attributes. The sweep is enqueued here, as no server runs it.
        var storage = hub.Services.GetRequiredService<JobStorage>();
        var jobId = new BackgroundJobClient(storage).Enqueue<FollowUpSweep>(sweep => sweep.RunDueAsync(CancellationToken.None));
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.GotoAsync(FollowUpDashboard.Path + "/jobs/enqueued/default");
        await page.CheckAsync($"input.js-jobs-list-checkbox[value='{jobId}']");
        await page.ClickAsync("button.js-jobs-list-command:has-text('Delete')");
        await Eventually.WaitForAsync(() => storage.GetMonitoringApi().JobDetails(jobId).History[0].StateName,
            state => state == "Deleted", "the dashboard's delete to reach the job");
        // In a tab of its own: the list's script reloads the first one after its POST.
        var details = await page.Context.NewPageAsync();
        await details.GotoAsync(FollowUpDashboard.Path + $"/jobs/details/{jobId}");
        Assert.Contains("Deleted", await details.InnerTextAsync(".state-card-title >> nth=0"));
        Assert.Contains("FollowUpSweep", await details.InnerTextAsync("body"));
        Assert.Empty(await ViolationsAsync(details));
        Assert.Empty(await ViolationsAsync(page));
    }

    [Fact]
    public async Task The_hub_s_own_pages_keep_the_strict_policy_and_the_browser_reports_no_violation()
    {
        var page = await WatchViolationsAsync(await hub.SignedInPageAsync(HubRoles.Admin));
        foreach (var path in new[] { "/admin", "/dashboard", "/notifications", "/admin/jobs-and-more", "/admin/job" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy, await response!.HeaderValueAsync("content-security-policy"));
        }
        Assert.Empty(await ViolationsAsync(page));
    }
}
