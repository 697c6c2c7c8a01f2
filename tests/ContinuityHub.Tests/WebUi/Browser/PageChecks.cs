using System.Text;
using ContinuityHub.Tests.Infrastructure;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>What every page test checks: WCAG 2.2 A/AA with axe, and a screenshot for the README.</summary>
public static class PageChecks
{
    /// <summary>WCAG 2.0, 2.1 and 2.2 at levels A and AA (UK public-sector services must meet WCAG 2.2 AA).</summary>
    public static readonly IReadOnlyList<string> WcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    public static string ScreenshotFolder => Path.Combine(RepositoryPaths.Root, "docs", "screenshots");

    /// <summary>Runs axe on the page as it is now; fails naming each violation, its rule and the elements.</summary>
    public static async Task AssertAccessibleAsync(this IPage page)
    {
        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = WcagTags.ToList() },
        });
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
    /// README's images stay current when the tests run).
    /// </summary>
    public static async Task SaveScreenshotAsync(this IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(ScreenshotFolder, name + ".png"),
            FullPage = true,
            Animations = ScreenshotAnimations.Disabled,
            Caret = ScreenshotCaret.Hide,
        });
    }

    /// <summary>The main content's text: what a person reads, for assertions.</summary>
    public static Task<string> MainTextAsync(this IPage page) => page.InnerTextAsync("main");
}
