using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// A hub with releases from HMP Onley (ONI) around today (22 November 2026) in every referral state, and one
/// from HMP Woodhill (WDI) that an Onley user must never see. Put in through the hub's own API.
/// </summary>
public sealed class PrisonBrowserHub : BrowserHub
{
    public const string ProviderOds = "EXS2SN";

    /// <summary>A release of Woodhill's: outside an ONI user's scope.</summary>
    public Guid WoodhillNotificationId { get; private set; }
    public string WoodhillFamilyName => "Woodhill-Only";

    protected override async Task SeedAsync()
    {
        var provider = ClientFor(HubRoles.TreatmentProvider, ods: ProviderOds);
        // Upcoming, sent and not accepted.
        await SendAsync("ONI", Person(Notifications.Example(releaseDate: "2026-12-01"), "Robin", "Upcoming"));
        // Upcoming, accepted by the provider.
        var accepted = await SendAsync("ONI", Person(Notifications.Example(releaseDate: "2026-11-28"), "Ash", "Accepted"));
        (await provider.PostAsync($"/api/v1/referrals/{accepted.GetProperty("referralId").GetGuid()}/accept", null)).EnsureSuccessStatusCode();
        // Upcoming without consent: tracked, never referred.
        await SendAsync("ONI", Person(Notifications.Example(releaseDate: "2026-12-05", consent: false), "Kit", "No-Consent"));
        // Released ten days ago, accepted and engaged.
        var engaged = await SendAsync("ONI", Person(Notifications.Example(releaseDate: "2026-11-12", status: "released"), "Jo", "Engaged"));
        var referral = engaged.GetProperty("referralId").GetGuid();
        (await provider.PostAsync($"/api/v1/referrals/{referral}/accept", null)).EnsureSuccessStatusCode();
        (await provider.PostAsJsonAsync($"/api/v1/referrals/{referral}/engagement", new { date = "2026-11-15" })).EnsureSuccessStatusCode();
        // Released three months ago: outside the 28 days either side.
        await SendAsync("ONI", Person(Notifications.Example(releaseDate: "2026-08-20", status: "released"), "Lee", "Long-Ago"));

        var woodhill = await SendAsync("WDI", Person(Notifications.Example(releaseDate: "2026-11-30", prisonCode: "WDI"), "Sol", WoodhillFamilyName));
        WoodhillNotificationId = woodhill.GetProperty("notificationId").GetGuid();
    }

    private static JsonObject Person(JsonObject notification, string given, string family)
    {
        notification["person"]!["givenName"] = given;
        notification["person"]!["familyName"] = family;
        return notification;
    }

    private async Task<JsonElement> SendAsync(string prison, JsonObject notification)
    {
        var response = await PrisonClient(prison).PostAsJsonAsync("/api/v1/releases", notification);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Seeding failed: {(int)response.StatusCode} {body}");
        return body;
    }
}
