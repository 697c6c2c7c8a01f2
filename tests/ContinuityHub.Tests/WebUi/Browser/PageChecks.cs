using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using ContinuityHub.Tests.Infrastructure;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>What every page test checks: WCAG 2.2 A/AA with axe, and a screenshot for the README.</summary>
public static partial class PageChecks
{
    /// <summary>WCAG 2.0, 2.1 and 2.2 at levels A and AA (UK public-sector services must meet WCAG 2.2 AA).</summary>
    public static readonly IReadOnlyList<string> WcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    public static string ScreenshotFolder => Path.Combine(RepositoryPaths.Root, "docs", "screenshots");

    /// <summary>Runs axe on the page as it is now; fails naming each violation, its rule and the elements.</summary>
    public static async Task AssertAccessibleAsync(this IPage page)
    {
        var (target, copy) = await AxeTargetAsync(page);
        AxeResult results;
        try
        {
            var run = target.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = WcagTags.ToList() } });
            if (await Task.WhenAny(run, Task.Delay(AxeTimeout)) != run)
                Assert.Fail($"{page.Url}: the accessibility check did not finish within {AxeTimeout.TotalSeconds:0} s");
            results = await run;
        }
        finally
        {
            if (copy is not null) await copy.CloseAsync();
        }
        var violations = results.Violations
            .Select(v => (Violation: v, Nodes: v.Nodes.Where(n => !IsGovukConditionalRevealState(v, n)).ToList()))
            .Where(v => v.Nodes.Count > 0)
            .ToList();
        if (violations.Count == 0) return;
        var report = new StringBuilder($"{page.Url}: {violations.Count} WCAG violation(s)\n");
        foreach (var (violation, nodes) in violations)
        {
            report.AppendLine($"- {violation.Id} ({violation.Impact}): {violation.Help}");
            foreach (var node in nodes.Take(5)) report.AppendLine($"    {node.Target}: {node.Html}");
        }
        Assert.Fail(report.ToString());
    }

    /// <summary>Browser contexts opened with JavaScript off (<see cref="BrowserHub.NewPageAsync"/>).</summary>
    private static readonly ConditionalWeakTable<IBrowserContext, object> ScriptsOff = new();

    public static void MarkScriptsOff(IBrowserContext context) => ScriptsOff.AddOrUpdate(context, new object());

    /// <summary>How long axe may take on one page before the check fails rather than waits for ever.</summary>
    private static readonly TimeSpan AxeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The page axe checks. axe's run waits on timers, and on a page opened with JavaScript off no timer ever fires: the
    /// check used to wait for ever (a find-a-person test with JavaScript off hung on it). For such a page axe runs on a
    /// copy in a browser with JavaScript on: the same document (its HTML as shown, at its own address, so the same
    /// stylesheets load) with its scripts taken out, so the copy is exactly what a person without JavaScript gets.
    /// </summary>
    private static async Task<(IPage Page, IBrowserContext? Copy)> AxeTargetAsync(IPage page)
    {
        if (!ScriptsOff.TryGetValue(page.Context, out _)) return (page, null);
        var html = Script().Replace(await page.ContentAsync(), "");
        var url = page.Url;
        var copy = await page.Context.Browser!.NewContextAsync(new BrowserNewContextOptions
        {
            JavaScriptEnabled = true,
            ViewportSize = page.ViewportSize is { } size ? new ViewportSize { Width = size.Width, Height = size.Height } : null,
            Locale = "en-GB",
        });
        var copyPage = await copy.NewPageAsync();
        await copyPage.RouteAsync(address => address == url, route => route.FulfillAsync(new RouteFulfillOptions { Body = html, ContentType = "text/html; charset=utf-8" }));
        await copyPage.GotoAsync(url);
        return (copyPage, copy);
    }

    [GeneratedRegex("<script\\b[^>]*>.*?</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Script();

    /// <summary>
    /// GOV.UK Frontend's one known, deliberate deviation: the radios and checkboxes that reveal a conditional
    /// question carry <c>aria-expanded</c>, which ARIA 1.2 does not list for them (axe: aria-allowed-attr). The
    /// design system keeps it because screen readers announce it (alphagov/govuk-frontend#979, #1280). Only
    /// that attribute on those inputs is let through; any other problem on them still fails.
    /// </summary>
    private static bool IsGovukConditionalRevealState(AxeResultItem violation, AxeResultNode node) =>
        violation.Id == "aria-allowed-attr"
        && (node.Html.Contains("govuk-radios__input") || node.Html.Contains("govuk-checkboxes__input"))
        && node.Any.Concat(node.All).Concat(node.None).All(check => check.Message.Contains("aria-expanded"));

    /// <summary>
    /// Saves the whole page as docs/screenshots/<paramref name="name"/>.png (a fixed name per page state, so the
    /// README's images stay current when the tests run) — but only when the page changed: see <see cref="ScreenshotFile"/>.
    /// </summary>
    public static Task SaveScreenshotAsync(this IPage page, string name) =>
        page.SaveScreenshotToAsync(Path.Combine(ScreenshotFolder, name + ".png"));

    /// <summary>The same, to any file (for the test of the rule itself). True when the file was written.</summary>
    public static async Task<bool> SaveScreenshotToAsync(this IPage page, string path)
    {
        var fingerprint = ScreenshotFile.Fingerprint(await page.ContentAsync());
        if (ScreenshotFile.Holds(path, fingerprint)) return false;
        var png = await page.ScreenshotAsync(new PageScreenshotOptions
        {
            FullPage = true,
            Animations = ScreenshotAnimations.Disabled,
            Caret = ScreenshotCaret.Hide,
        });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, ScreenshotFile.WithFingerprint(png, fingerprint));
        return true;
    }

    /// <summary>Fills a GOV.UK date input (<c>{field}-day</c>, <c>-month</c>, <c>-year</c>).</summary>
    public static async Task FillDateAsync(this IPage page, string field, int day, int month, int year)
    {
        await page.FillAsync($"#{field}-day", day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync($"#{field}-month", month.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync($"#{field}-year", year.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The main content's text: what a person reads, for assertions.</summary>
    public static Task<string> MainTextAsync(this IPage page) => page.InnerTextAsync("main");
}
