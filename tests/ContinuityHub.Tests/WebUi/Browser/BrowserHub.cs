using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// The real hub (real PostgreSQL, every service) listening on a real loopback port, for a real browser:
/// Debian's Chromium driven by Playwright. Use it as a class fixture; derive from it and override
/// <see cref="SeedAsync"/> to put data in first (through the hub's own API, e.g. <c>SubmitReleaseAsync</c>).
/// <code>
/// var page = await hub.SignedInPageAsync(HubRoles.TreatmentProvider, ods: "EXS2SN");
/// await page.GotoAsync("/referrals");
/// await page.AssertAccessibleAsync();
/// await page.SaveScreenshotAsync("referrals-inbox");
/// </code>
/// </summary>
public class BrowserHub : HubFactory, IAsyncLifetime
{
    private readonly List<IBrowserContext> contexts = [];

    public BrowserHub() => UseKestrel(0);

    /// <summary>http://127.0.0.1:PORT, the hub's address; pages' relative URLs resolve against it.</summary>
    public string BaseUrl { get; private set; } = "";

    async Task IAsyncLifetime.InitializeAsync()
    {
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(address => address.Replace("[::1]", "127.0.0.1").Replace("localhost", "127.0.0.1")).First().TrimEnd('/');
        await SeedAsync();
    }

    /// <summary>Data the class's tests share, put in once before the first test.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;

    /// <summary>A fresh browser (own cookies) on the hub, not signed in.</summary>
    public async Task<IPage> NewPageAsync(bool javaScript = true)
    {
        var browser = await SharedChromium.BrowserAsync();
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            JavaScriptEnabled = javaScript,
            ViewportSize = new ViewportSize { Width = 1100, Height = 800 },
            Locale = "en-GB",
            TimezoneId = "Europe/London",
            ReducedMotion = ReducedMotion.Reduce,
        });
        // Generous: the suite shares two cores with the hub, PostgreSQL and the other tests.
        context.SetDefaultTimeout(30_000);
        if (!javaScript) PageChecks.MarkScriptsOff(context);
        lock (contexts) contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// A browser signed in through /dev/signin as a person with <paramref name="role"/> and its scope, left on the
    /// role's start page. Scopes: <paramref name="prisons"/> "ONI,WDI"; <paramref name="ods"/> an ODS code;
    /// <paramref name="pdu"/> delivery units or "*".
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string role, string? prisons = null, string? ods = null, string? pdu = null,
        string name = "Alex Example", bool javaScript = true)
    {
        var page = await NewPageAsync(javaScript);
        await page.GotoAsync("/dev/signin");
        await page.FillAsync("#name", name);
        await page.CheckAsync($"input[name=role][value={role}]");
        if (prisons is not null) await page.FillAsync("#prisons", prisons);
        if (ods is not null) await page.FillAsync("#ods", ods);
        if (pdu is not null) await page.FillAsync("#pdu", pdu);
        // Wait for the sign-in POST's answer (a redirect to the start page, or the form again with its problems),
        // then for the start page itself.
        var answer = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button:has-text('Sign in')"),
            response => response.Request.Method == "POST" && response.Url.Contains("/dev/signin"));
        if (answer.Status != 302) throw new InvalidOperationException($"Sign-in as {role} failed: {answer.Status} {await page.InnerTextAsync("main")}");
        // Wait for the start page's address, then for its footer (the end of the server-rendered document). Waiting
        // for the "load" event instead once timed out in CI with the network already idle: the page had loaded, the
        // wait had missed it.
        await page.WaitForURLAsync(url => !url.Contains("/dev/signin"), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.Locator("footer.govuk-footer").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        return page;
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var context in contexts) await context.CloseAsync();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}
