using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Referrals;

/// <summary>The JSON conveniences over the referral's closed loop (contract §5, and §7 for late engagement).</summary>
public sealed class ReferralActionTests(HubFactory hub) : IClassFixture<HubFactory>
{
    // NN17 routes to North Northamptonshire's provider in the example mappings.
    private const string Provider = "EXS2SN";
    private HttpClient ProviderClient(string ods = Provider) => hub.ClientFor(HubRoles.TreatmentProvider, ods: ods);

    /// <summary>A referral for a release on <paramref name="releaseDate"/> (the test clock is 2026-11-22).</summary>
    private async Task<Guid> NewReferral(string releaseDate = "2026-11-10", string status = "released") =>
        (await hub.SubmitReleaseAsync(Notifications.Example(releaseDate: releaseDate, status: status))).ReferralId;

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> Refused(HttpResponseMessage response, string pointer)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")[0];
        Assert.Equal(pointer, error.GetProperty("pointer").GetString());
        return error.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task The_addressed_provider_accepts_and_each_action_bumps_the_version_and_is_audited()
    {
        var id = await NewReferral();
        var accepted = await Ok(await ProviderClient().PostAsync($"/api/v1/referrals/{id}/accept", null));

        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
        Assert.Equal(2, accepted.GetProperty("version").GetInt32());
        Assert.Equal("2026-12-01", accepted.GetProperty("deadline").GetString());
        await using var db = hub.Db();
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "referral.accept" && a.ResourceId == id.ToString()));
    }

    [Fact]
    public async Task Another_provider_or_role_may_not_act_and_an_unknown_referral_is_404()
    {
        var id = await NewReferral();
        Assert.Equal(HttpStatusCode.Forbidden, (await ProviderClient("EXS2SW").PostAsync($"/api/v1/referrals/{id}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.PrisonClient("ONI").PostAsync($"/api/v1/referrals/{id}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ProviderClient().PostAsync($"/api/v1/referrals/{Guid.NewGuid()}/accept", null)).StatusCode);
        await using var db = hub.Db();
        Assert.Equal("requested", (await db.Referrals.SingleAsync(r => r.Id == id)).TaskStatus);
    }

    [Fact]
    public async Task Illegal_transitions_are_refused_with_422_and_change_nothing()
    {
        var id = await NewReferral();
        var client = ProviderClient();
        Assert.Contains("required", await Refused(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/reject", new { }), "/reason"));
        await Ok(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/reject", new { reason = "Out of area: person moving to Leicester" }));

        var detail = await Refused(await client.PostAsync($"/api/v1/referrals/{id}/accept", null), "");
        Assert.Contains("rejected referral cannot become accepted", detail);
        await using var db = hub.Db();
        var referral = await db.Referrals.SingleAsync(r => r.Id == id);
        Assert.Equal(("rejected", 2), (referral.TaskStatus, referral.Version));
    }

    [Fact]
    public async Task An_appointment_accepts_the_referral_and_may_not_be_before_release()
    {
        var id = await NewReferral();
        var client = ProviderClient();
        await Refused(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/appointments", new { date = "2026-11-09" }), "/date");
        await Refused(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/appointments", new { date = "next week" }), "/date");

        var booked = await Ok(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/appointments", new { date = "2026-11-24" }));
        Assert.Equal(("accepted", "2026-11-24"), (booked.GetProperty("status").GetString(), booked.GetProperty("appointmentDate").GetString()));
    }

    [Fact]
    public async Task Engagement_before_release_or_in_the_future_is_refused()
    {
        var id = await NewReferral();
        var client = ProviderClient();
        Assert.Contains("before the release date", await Refused(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/engagement", new { date = "2026-11-09" }), "/date"));
        Assert.Contains("future", await Refused(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/engagement", new { date = "2026-11-23" }), "/date"));
    }

    [Fact]
    public async Task Engagement_moves_the_task_in_progress_and_an_earlier_date_replaces_a_later_one()
    {
        var id = await NewReferral();
        var client = ProviderClient();
        await Ok(await client.PostAsync($"/api/v1/referrals/{id}/accept", null));
        var engaged = await Ok(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/engagement", new { date = "2026-11-20" }));
        var earlier = await Ok(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/engagement", new { date = "2026-11-12" }));

        Assert.Equal("in-progress", engaged.GetProperty("status").GetString());
        Assert.Equal("2026-11-12", earlier.GetProperty("engagedOn").GetString());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.Id == earlier.GetProperty("episodeId").GetGuid());
        Assert.Equal(("engaged", new DateOnly(2026, 11, 12)), (episode.Status, episode.EngagedOn!.Value));
    }

    [Theory]
    [InlineData("2026-10-22", "completed", "engaged")]      // day 21 of a release on 2026-10-01: inside the window
    [InlineData("2026-10-23", "failed", "not-engaged")]     // day 22: recorded, but the window had closed
    public async Task A_late_engagement_dated_inside_the_window_turns_a_failed_referral_completed(string engagedOn, string taskStatus, string episodeStatus)
    {
        var id = await NewReferral(releaseDate: "2026-10-01");
        await using (var db = hub.Db())
            await db.Referrals.Where(r => r.Id == id).ExecuteUpdateAsync(r => r.SetProperty(x => x.TaskStatus, "failed"));

        var state = await Ok(await ProviderClient().PostAsJsonAsync($"/api/v1/referrals/{id}/engagement", new { date = engagedOn }));

        Assert.Equal(taskStatus, state.GetProperty("status").GetString());
        await using var check = hub.Db();
        Assert.Equal(episodeStatus, (await check.Episodes.SingleAsync(e => e.Id == state.GetProperty("episodeId").GetGuid())).Status);
    }

    [Fact]
    public async Task An_engagement_on_or_before_an_exclusions_date_means_the_exclusion_does_not_apply()
    {
        var id = await NewReferral(releaseDate: "2026-11-01");
        await using (var db = hub.Db())
        {
            var referral = await db.Referrals.Include(r => r.Episode).SingleAsync(r => r.Id == id);
            referral.TaskStatus = "cancelled";
            referral.Episode!.Status = "excluded";
            referral.Episode.ExclusionReason = "returnedToCustody";
            referral.Episode.ExclusionDate = new DateOnly(2026, 11, 10);
            await db.SaveChangesAsync();
        }
        var client = ProviderClient();
        await Refused(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/engagement", new { date = "2026-11-11" }), "/date");

        var state = await Ok(await client.PostAsJsonAsync($"/api/v1/referrals/{id}/engagement", new { date = "2026-11-10" }));
        Assert.Equal("in-progress", state.GetProperty("status").GetString());
        await using var check = hub.Db();
        var episode = await check.Episodes.SingleAsync(e => e.Id == state.GetProperty("episodeId").GetGuid());
        Assert.Equal(("engaged", null), (episode.Status, episode.ExclusionReason));
    }
}
