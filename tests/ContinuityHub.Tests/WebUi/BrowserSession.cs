using System.Net;
using System.Text.RegularExpressions;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ContinuityHub.Tests.WebUi;

/// <summary>A browser-like client of the web UI: keeps cookies, does not follow redirects, fills in forms.</summary>
public static partial class BrowserSession
{
    public static HttpClient NewBrowser(this HubFactory hub) =>
        hub.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the development sign-in form as a person would, and returns the signed-in browser.</summary>
    public static async Task<HttpClient> SignedInBrowserAsync(this HubFactory hub, string role, string? prisons = null, string? ods = null, string? pdu = null)
    {
        var browser = hub.NewBrowser();
        var response = await browser.SubmitSignInAsync(new() { ["name"] = "Casey Commissioner", ["role"] = role, ["prisons"] = prisons ?? "", ["ods"] = ods ?? "", ["pdu"] = pdu ?? "" });
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Sign-in failed: {(int)response.StatusCode}");
        return browser;
    }

    /// <summary>GETs the sign-in form (for its anti-forgery token) and posts <paramref name="fields"/> with it.</summary>
    public static async Task<HttpResponseMessage> SubmitSignInAsync(this HttpClient browser, Dictionary<string, string> fields)
    {
        var form = await browser.GetStringAsync("/dev/signin");
        fields["__RequestVerificationToken"] = AntiforgeryToken(form);
        return await browser.PostAsync("/dev/signin", new FormUrlEncodedContent(fields));
    }

    public static string AntiforgeryToken(string html) =>
        WebUtility.HtmlDecode(TokenField().Match(html) is { Success: true } match ? match.Groups[1].Value
            : throw new InvalidOperationException("The page has no anti-forgery field."));

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
