using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.People;

/// <summary>
/// People's status for probation (contract §7, issue #5 item 4): a person's episodes and a delivery unit's
/// caseload, scoped by the pdu claim and audited. The test clock is 2026-11-22 (Europe/London).
/// </summary>
public sealed class PeopleStatusTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string Provider = "EXS2SN";

    /// <summary>A delivery unit code of this test's own, so other tests' episodes never appear in its caseload.</summary>
    private static string NewPdu() => $"T{Guid.NewGuid().ToString("N")[..5].ToUpperInvariant()}";

    private static JsonObject Release(string releaseDate, string pdu, string? noms = null, string status = "released", bool consent = true, string? crn = null)
    {
        var notification = Notifications.Example(nomsNumber: noms, releaseDate: releaseDate, status: status, consent: consent);
        notification["contacts"]!["probationPractitioner"]!["pduCode"] = pdu;
        if (crn is not null) notification["person"]!["crn"] = crn;
        return notification;
    }

    private static string Noms(JsonObject notification) => (string)notification["person"]!["nomsNumber"]!;

    private HttpClient Probation(params string[] pdus) => hub.ClientFor(HubRoles.Probation, pdus: pdus);

    private HttpClient ProviderClient() => hub.ClientFor(HubRoles.TreatmentProvider, ods: Provider);

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
    }

    private static string[] Ids(JsonElement body) =>
        body.GetProperty("episodes").EnumerateArray().Select(e => e.GetProperty("episodeId").GetString()!).ToArray();

    [Fact]
    public async Task A_persons_episode_shows_dates_days_left_provider_referral_outcome_and_the_follow_ups_still_ahead()
    {
        var pdu = NewPdu();
        var notification = Release("2026-11-10", pdu);
        var (referralId, episodeId) = await hub.SubmitReleaseAsync(notification);

        var body = await OkAsync(await Probation(pdu).GetAsync($"/api/v1/people/{Noms(notification)}/episodes"));

        var episode = Assert.Single(body.GetProperty("episodes").EnumerateArray());
        Assert.Equal(episodeId.ToString(), episode.GetProperty("episodeId").GetString());
        Assert.Equal("2026-11-10", episode.GetProperty("releaseDate").GetString());
        Assert.Equal(12, episode.GetProperty("daysSinceRelease").GetInt32());
        Assert.Equal("2026-12-01", episode.GetProperty("deadline").GetString());
        Assert.Equal(9, episode.GetProperty("daysLeft").GetInt32());
        Assert.Equal(Provider, episode.GetProperty("provider").GetProperty("ods").GetString());
        Assert.Contains("North Northamptonshire", episode.GetProperty("provider").GetProperty("name").GetString());
        Assert.Equal(referralId.ToString(), episode.GetProperty("referralId").GetString());
        Assert.Equal("requested", episode.GetProperty("referralStatus").GetString());
        Assert.Equal(JsonValueKind.Null, episode.GetProperty("engagedOn").ValueKind);
        Assert.Equal("pending", episode.GetProperty("outcome").GetString());
        Assert.True(episode.GetProperty("atRisk").GetBoolean());
        // Day 2 and day 7 are past; day 14 (2026-11-24 09:00) and the window's close are ahead, and the person has not engaged.
        Assert.Equal(["day-14-alert", "window-close"],
            episode.GetProperty("openFollowUps").EnumerateArray().Select(f => f.GetProperty("checkpoint").GetString()!).ToArray());
        Assert.DoesNotContain("Sam", body.GetRawText());

        await using var db = hub.Db();
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == "person.episodes.read" && a.ResourceId == episodeId.ToString()));
    }

    [Fact]
    public async Task A_person_is_found_by_CRN_and_without_consent_shows_no_referral_and_engagement_ends_the_alerts()
    {
        var pdu = NewPdu();
        var crn = $"Z{Random.Shared.Next(0, 999_999):D6}";
        var noms = Notifications.NewNomsNumber();
        var withoutConsent = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Release("2026-10-01", pdu, noms, consent: false, crn: crn));
        Assert.Equal(HttpStatusCode.Created, withoutConsent.StatusCode);
        var (referralId, engagedEpisode) = await hub.SubmitReleaseAsync(Release("2026-11-12", pdu, noms, crn: crn));
        Assert.Equal(HttpStatusCode.OK, (await ProviderClient().PostAsJsonAsync($"/api/v1/referrals/{referralId}/engagement", new { date = "2026-11-15" })).StatusCode);

        var body = await OkAsync(await Probation(pdu).GetAsync($"/api/v1/people/{crn}/episodes"));

        var episodes = body.GetProperty("episodes").EnumerateArray().ToList();
        Assert.Equal(2, episodes.Count);
        Assert.Equal(engagedEpisode.ToString(), episodes[0].GetProperty("episodeId").GetString()); // latest release first
        Assert.Equal(("engaged", "in-progress", "2026-11-15"),
            (episodes[0].GetProperty("outcome").GetString(), episodes[0].GetProperty("referralStatus").GetString(), episodes[0].GetProperty("engagedOn").GetString()));
        Assert.Empty(episodes[0].GetProperty("openFollowUps").EnumerateArray());
        Assert.Equal(("no referral (no consent)", "not-engaged", 0),
            (episodes[1].GetProperty("referralStatus").GetString(), episodes[1].GetProperty("outcome").GetString(), episodes[1].GetProperty("daysLeft").GetInt32()));
        Assert.Equal(JsonValueKind.Null, episodes[1].GetProperty("referralId").ValueKind);
    }

    [Theory]
    [InlineData("A1234B")]
    [InlineData("12345678")]
    [InlineData("X12345")]
    public async Task A_malformed_person_id_is_400_problem_json(string id)
    {
        var detail = await ProblemAsync(await Probation("*").GetAsync($"/api/v1/people/{id}/episodes"), HttpStatusCode.BadRequest);
        Assert.Contains("NOMS number", detail);
    }

    [Fact]
    public async Task An_unknown_person_is_404()
    {
        await ProblemAsync(await Probation("*").GetAsync($"/api/v1/people/{Notifications.NewNomsNumber()}/episodes"), HttpStatusCode.NotFound);
        await ProblemAsync(await Probation("*").GetAsync("/api/v1/people/Q000001/episodes"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Probation_of_another_delivery_unit_sees_nothing_and_other_roles_are_refused()
    {
        var pdu = NewPdu();
        var notification = Release("2026-11-10", pdu);
        var (_, episodeId) = await hub.SubmitReleaseAsync(notification);
        var noms = Noms(notification);
        var otherPdu = NewPdu();
        var other = Probation(otherPdu);

        await ProblemAsync(await other.GetAsync($"/api/v1/people/{noms}/episodes"), HttpStatusCode.NotFound);
        Assert.Empty(Ids(await OkAsync(await other.GetAsync($"/api/v1/caseload?pdu={otherPdu}"))));
        await ProblemAsync(await other.GetAsync($"/api/v1/caseload?pdu={pdu}"), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.ClientFor(HubRoles.Commissioner).GetAsync($"/api/v1/people/{noms}/episodes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ProviderClient().GetAsync($"/api/v1/caseload?pdu={pdu}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.PrisonClient("ONI").GetAsync($"/api/v1/people/{noms}/episodes")).StatusCode);

        // Their own unit, "*" and ADMIN do see it.
        Assert.Equal([episodeId.ToString()], Ids(await OkAsync(await Probation(pdu).GetAsync($"/api/v1/people/{noms}/episodes"))));
        Assert.Equal([episodeId.ToString()], Ids(await OkAsync(await Probation("*").GetAsync($"/api/v1/people/{noms}/episodes"))));
        Assert.Equal([episodeId.ToString()], Ids(await OkAsync(await hub.ClientFor(HubRoles.Admin).GetAsync($"/api/v1/caseload?pdu={pdu}"))));
        await using var db = hub.Db();
        Assert.Equal(0, await db.AuditLog.CountAsync(a => a.ResourceId == episodeId.ToString() && a.ActorRoles == "PROBATION" && a.Action == "caseload.read"));
    }

    [Fact]
    public async Task The_caseload_needs_a_pdu_within_scope_unless_the_scope_is_all_and_names_an_unknown_status()
    {
        var pdu = NewPdu();
        Assert.Contains("pdu is required", await ProblemAsync(await Probation(pdu).GetAsync("/api/v1/caseload"), HttpStatusCode.BadRequest));
        Assert.Contains("'sleeping'", await ProblemAsync(await Probation(pdu).GetAsync($"/api/v1/caseload?pdu={pdu}&status=sleeping"), HttpStatusCode.BadRequest));
        await ProblemAsync(await Probation(pdu).GetAsync("/api/v1/caseload?pdu=ELSEWHERE"), HttpStatusCode.Forbidden);
        await OkAsync(await Probation("*").GetAsync("/api/v1/caseload"));
    }

    [Fact]
    public async Task The_caseload_filters_by_status_and_puts_the_unaccepted_with_fewest_days_left_first_and_audits_each_episode()
    {
        var pdu = NewPdu();
        var provider = ProviderClient();
        // Pending, not accepted, 9 days left: at risk.
        var (_, unaccepted) = await hub.SubmitReleaseAsync(Release("2026-11-10", pdu));
        // Pending, accepted, 19 days left: not at risk.
        var (acceptedEarlyReferral, acceptedEarly) = await hub.SubmitReleaseAsync(Release("2026-11-20", pdu));
        Assert.Equal(HttpStatusCode.OK, (await provider.PostAsync($"/api/v1/referrals/{acceptedEarlyReferral}/accept", null)).StatusCode);
        // Pending, accepted, 4 days left: at risk.
        var (acceptedLateReferral, acceptedLate) = await hub.SubmitReleaseAsync(Release("2026-11-05", pdu));
        Assert.Equal(HttpStatusCode.OK, (await provider.PostAsync($"/api/v1/referrals/{acceptedLateReferral}/accept", null)).StatusCode);
        // Engaged.
        var (engagedReferral, engaged) = await hub.SubmitReleaseAsync(Release("2026-11-12", pdu));
        Assert.Equal(HttpStatusCode.OK, (await provider.PostAsJsonAsync($"/api/v1/referrals/{engagedReferral}/engagement", new { date = "2026-11-15" })).StatusCode);
        // Window closed without engagement.
        var (_, notEngaged) = await hub.SubmitReleaseAsync(Release("2026-10-01", pdu));
        // Back in custody on day 8: excluded.
        var recalled = Release("2026-11-10", pdu);
        var (_, excluded) = await hub.SubmitReleaseAsync(recalled);
        Assert.Equal(HttpStatusCode.OK, (await HmppsEvents.PostAsync(hub.ClientFor(HubRoles.EventFeed), HmppsEvents.Admission(Noms(recalled), "2026-11-18T10:00:00Z").ToJsonString())).StatusCode);
        // Planned for next month: not in the measure yet, listed without a filter.
        var (_, planned) = await hub.SubmitReleaseAsync(Release("2026-12-05", pdu, status: "planned"));

        async Task<string[]> Caseload(string? status) =>
            Ids(await OkAsync(await Probation(pdu).GetAsync($"/api/v1/caseload?pdu={pdu}" + (status is null ? "" : $"&status={status}"))));

        Assert.Equal([unaccepted.ToString(), acceptedLate.ToString()], await Caseload("at-risk"));
        Assert.Equal([unaccepted.ToString(), acceptedLate.ToString(), acceptedEarly.ToString()], await Caseload("pending"));
        Assert.Equal([engaged.ToString()], await Caseload("engaged"));
        Assert.Equal([notEngaged.ToString()], await Caseload("not-engaged"));
        Assert.Equal([excluded.ToString()], await Caseload("excluded"));
        var all = await Caseload(null);
        Assert.Equal(7, all.Length);
        Assert.Equal(unaccepted.ToString(), all[0]);
        Assert.Contains(planned.ToString(), all);

        await using var db = hub.Db();
        // Shown three times (at-risk, pending, unfiltered), so audited three times.
        Assert.Equal(3, await db.AuditLog.CountAsync(a => a.Action == "caseload.read" && a.ResourceId == acceptedLate.ToString()));
    }
}
