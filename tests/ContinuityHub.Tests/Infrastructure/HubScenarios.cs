using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>Steps many tests start from, done through the hub's own API.</summary>
public static class HubScenarios
{
    /// <summary>Sends a notification as ONI's healthcare team and returns the referral and episode it made.</summary>
    public static async Task<(Guid ReferralId, Guid EpisodeId)> SubmitReleaseAsync(this HubFactory hub, JsonObject notification)
    {
        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", notification);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode || body.GetProperty("referralId").ValueKind != JsonValueKind.String)
            throw new InvalidOperationException($"The release was not referred: {(int)response.StatusCode} {body}");
        return (body.GetProperty("referralId").GetGuid(), body.GetProperty("episodeId").GetGuid());
    }
}
