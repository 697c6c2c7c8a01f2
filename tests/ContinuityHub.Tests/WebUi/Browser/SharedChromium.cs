using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// One headless Chromium for the whole test run: Debian's (<c>/usr/bin/chromium</c>, installed by .ci/run),
/// not a browser Playwright would download. Each test gets its own context (cookies, storage) in it.
/// </summary>
public static class SharedChromium
{
    public const string DefaultExecutable = "/usr/bin/chromium";

    private static readonly Lazy<Task<IBrowser>> Browser = new(LaunchAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<IBrowser> BrowserAsync() => Browser.Value;

    private static async Task<IBrowser> LaunchAsync()
    {
        var executable = Environment.GetEnvironmentVariable("HUB_TEST_CHROMIUM") ?? DefaultExecutable;
        if (!File.Exists(executable))
            throw new InvalidOperationException($"The browser tests need Chromium at {executable} (Debian: apt-get install chromium; .ci/run installs it).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Root in a container has no user namespaces for Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--font-render-hinting=none"],
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            browser.CloseAsync().Wait(TimeSpan.FromSeconds(5));
            playwright.Dispose();
        };
        return browser;
    }
}
