using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.Reports;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Episodes;

/// <summary>
/// <c>POST /api/v1/episodes/{id}/exclusion</c> (contract §5, §7) on the real database: who may record one,
/// the §7 rule, its effects (referral cancelled, follow-ups cancelled, the report), validation that writes
/// nothing, a repeat that changes nothing. The test clock is 2026-11-22 (Europe/London).
/// </summary>
public sealed class EpisodeExclusionTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string Provider = MeasureScenarios.NorthProvider;

    private static string NewPdu() => $"X{Guid.NewGuid().ToString("N")[..5].ToUpperInvariant()}";

    /// <summary>A confirmed release with a referral to <see cref="Provider"/>, on the caseload of <paramref name="pdu"/>.</summary>
    private async Task<(Guid ReferralId, Guid EpisodeId, string Noms)> Released(string releaseDate, string pdu)
    {
        var notification = Notifications.Example(releaseDate: releaseDate, status: "released");
        notification["contacts"]!["probationPractitioner"]!["pduCode"] = pdu;
        notification["treatmentNeed"]!["ost"]!["lastDoseDate"] = releaseDate;
        var (referralId, episodeId) = await hub.SubmitReleaseAsync(notification);
        return (referralId, episodeId, (string)notification["person"]!["nomsNumber"]!);
    }

    private HttpClient Probation(params string[] pdus) => hub.ClientFor(HubRoles.Probation, pdus: pdus);

    private static Task<HttpResponseMessage> Exclude(HttpClient client, Guid episodeId, object body) =>
        client.PostAsJsonAsync($"/api/v1/episodes/{episodeId}/exclusion", body);

    private static Task<HttpResponseMessage> ExcludeRaw(HttpClient client, Guid episodeId, string json) =>
        client.PostAsync($"/api/v1/episodes/{episodeId}/exclusion", new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<(string Pointer, string Detail)[]> Problems(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("pointer").GetString()!, e.GetProperty("detail").GetString()!)).ToArray();
    }

    private async Task<(string Status, string? Reason, int Version, string TaskStatus, int ReferralVersion, int Audits)> Stored(Guid episodeId)
    {
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.Id == episodeId);
        var referral = await db.Referrals.SingleAsync(r => r.EpisodeId == episodeId);
        var audits = await db.AuditLog.CountAsync(a => a.ResourceId == episodeId.ToString() && a.Action.StartsWith("episode.exclusion"));
        return (episode.Status, episode.ExclusionReason, episode.Version, referral.TaskStatus, referral.Version, audits);
    }

    [Fact]
    public async Task Probation_records_a_death_the_referral_is_cancelled_the_follow_ups_end_and_the_report_counts_the_exclusion()
    {
        var pdu = NewPdu();
        var (referralId, episodeId, _) = await Released("2026-11-02", pdu);
        var before = await Stored(episodeId);

        var body = await Ok(await Exclude(Probation(pdu), episodeId, new { reason = "died", date = "2026-11-12" }));

        Assert.Equal(("excluded", "excluded", "excluded", "died", "2026-11-12"), (body.GetProperty("result").GetString(),
            body.GetProperty("episodeStatus").GetString(), body.GetProperty("outcome").GetString(),
            body.GetProperty("exclusionReason").GetString(), body.GetProperty("exclusionDate").GetString()));
        Assert.Equal((referralId.ToString(), "cancelled"), (body.GetProperty("referralId").GetString(), body.GetProperty("referralStatus").GetString()));
        var after = await Stored(episodeId);
        Assert.Equal(("excluded", "died", before.Version + 1, "cancelled", before.ReferralVersion + 1, 1),
            (after.Status, after.Reason, after.Version, after.TaskStatus, after.ReferralVersion, after.Audits));
        await using (var db = hub.Db())
        {
            var followUps = await db.Set<FollowUp>().Where(f => f.EpisodeId == episodeId).ToListAsync();
            Assert.NotEmpty(followUps);
            Assert.DoesNotContain(followUps, f => f.State == FollowUpStates.Scheduled);
            Assert.Contains(followUps, f => f.State == FollowUpStates.Cancelled && f.Outcome == "excluded");
        }

        var report = await hub.ReportAsync("2026-11-02", "2026-11-02", "2026-11-22");
        Assert.Equal((1, 0, 0, 0, 1), MeasureScenarios.Totals(report));
        Assert.Equal(1, report.GetProperty("exclusions").GetProperty("died").GetInt32());
    }

    [Fact]
    public async Task An_exclusion_after_an_engagement_or_on_its_day_does_not_exclude_and_the_report_counts_engaged()
    {
        var pdu = NewPdu();
        var engagedBefore = await Released("2026-11-03", pdu);
        var engagedSameDay = await Released("2026-11-03", pdu);
        var provider = hub.ClientFor(HubRoles.TreatmentProvider, ods: Provider);
        await Ok(await provider.PostAsJsonAsync($"/api/v1/referrals/{engagedBefore.ReferralId}/engagement", new { date = "2026-11-05" }));
        await Ok(await provider.PostAsJsonAsync($"/api/v1/referrals/{engagedSameDay.ReferralId}/engagement", new { date = "2026-11-10" }));

        var first = await Ok(await Exclude(Probation(pdu), engagedBefore.EpisodeId, new { reason = "returnedToCustody", date = "2026-11-10" }));
        var second = await Ok(await Exclude(Probation(pdu), engagedSameDay.EpisodeId, new { reason = "hospital", date = "2026-11-10" }));

        foreach (var body in new[] { first, second })
        {
            Assert.Equal(("engaged-before", "engaged", "engaged"), (body.GetProperty("result").GetString(),
                body.GetProperty("episodeStatus").GetString(), body.GetProperty("outcome").GetString()));
            Assert.Equal(JsonValueKind.Null, body.GetProperty("exclusionReason").ValueKind);
        }
        Assert.Equal(("engaged", null, "in-progress"), ((await Stored(engagedSameDay.EpisodeId)).Status, (await Stored(engagedSameDay.EpisodeId)).Reason,
            (await Stored(engagedSameDay.EpisodeId)).TaskStatus));
        var report = await hub.ReportAsync("2026-11-03", "2026-11-03", "2026-11-22");
        Assert.Equal((2, 2, 0, 0, 0), MeasureScenarios.Totals(report));
    }

    [Fact]
    public async Task A_repeat_changes_nothing_and_an_earlier_exclusion_stands_against_a_later_one()
    {
        var pdu = NewPdu();
        var (_, episodeId, _) = await Released("2026-11-04", pdu);
        var first = await Ok(await Exclude(Probation(pdu), episodeId, new { reason = "hospital", date = "2026-11-08" }));
        var stored = await Stored(episodeId);

        var repeat = await Ok(await Exclude(Probation(pdu), episodeId, new { reason = "hospital", date = "2026-11-08" }));
        var later = await Ok(await Exclude(Probation(pdu), episodeId, new { reason = "died", date = "2026-11-09" }));

        Assert.Equal("already-excluded", repeat.GetProperty("result").GetString());
        Assert.Equal(first.GetProperty("exclusionDate").GetString(), repeat.GetProperty("exclusionDate").GetString());
        Assert.Equal(("already-excluded", "hospital", "2026-11-08"), (later.GetProperty("result").GetString(),
            later.GetProperty("exclusionReason").GetString(), later.GetProperty("exclusionDate").GetString()));
        var after = await Stored(episodeId);
        Assert.Equal((stored.Version, stored.ReferralVersion, "hospital"), (after.Version, after.ReferralVersion, after.Reason));
        await using var db = hub.Db();
        Assert.Equal(2, await db.AuditLog.CountAsync(a => a.ResourceId == episodeId.ToString() && a.Action == "episode.exclusion.unchanged"));

        // An earlier date does replace it: the first event is the one that ended the window.
        var earlier = await Ok(await Exclude(Probation(pdu), episodeId, new { reason = "died", date = "2026-11-06" }));
        Assert.Equal(("excluded", "died", "2026-11-06"), (earlier.GetProperty("result").GetString(),
            earlier.GetProperty("exclusionReason").GetString(), earlier.GetProperty("exclusionDate").GetString()));
    }

    [Fact]
    public async Task Probation_of_the_delivery_unit_the_referrals_provider_and_admin_may_record_anyone_else_is_refused()
    {
        var pdu = NewPdu();
        var (_, episodeId, _) = await Released("2026-11-05", pdu);
        var body = new { reason = "removedFromUk", date = "2026-11-07" };

        Assert.Equal(HttpStatusCode.Forbidden, (await Exclude(Probation("N56NNE"), episodeId, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Exclude(hub.ClientFor(HubRoles.TreatmentProvider, ods: MeasureScenarios.WestProvider), episodeId, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Exclude(hub.PrisonClient("ONI"), episodeId, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Exclude(hub.ClientFor(HubRoles.Commissioner), episodeId, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Exclude(hub.ClientFor(HubRoles.EventFeed), episodeId, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Exclude(hub.CreateClient(), episodeId, body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Exclude(Probation("*"), Guid.NewGuid(), body)).StatusCode);
        Assert.Equal(("open", 0), ((await Stored(episodeId)).Status, (await Stored(episodeId)).Audits));

        await Ok(await Exclude(hub.ClientFor(HubRoles.TreatmentProvider, ods: Provider), episodeId, body));
        var (_, second, _) = await Released("2026-11-05", pdu);
        await Ok(await Exclude(hub.ClientFor(HubRoles.Admin), second, body));
        var (_, third, _) = await Released("2026-11-05", pdu);
        await Ok(await Exclude(Probation("*"), third, body));
    }

    [Fact]
    public async Task Every_problem_with_the_values_is_named_at_once_with_422_and_nothing_is_written()
    {
        var pdu = NewPdu();
        var (_, episodeId, _) = await Released("2026-11-06", pdu);
        var client = Probation(pdu);

        Assert.Equal(["/reason", "/date"], (await Problems(await Exclude(client, episodeId, new { reason = "deported", date = "2026-11-23" }),
            HttpStatusCode.UnprocessableEntity)).Select(p => p.Pointer));
        Assert.Equal(["/reason", "/date"], (await Problems(await ExcludeRaw(client, episodeId, "{}"), HttpStatusCode.UnprocessableEntity)).Select(p => p.Pointer));
        Assert.Equal(["/reason", "/date"], (await Problems(await ExcludeRaw(client, episodeId, """{"reason": 3, "date": "2026-02-30"}"""),
            HttpStatusCode.UnprocessableEntity)).Select(p => p.Pointer));
        var surrogate = await Problems(await ExcludeRaw(client, episodeId, """{"reason": "died\ud800", "date": "2026-11-10"}"""), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("surrogate", Assert.Single(surrogate).Detail);
        Assert.Contains("before the release date", Assert.Single(await Problems(await Exclude(client, episodeId, new { reason = "died", date = "2026-11-05" }),
            HttpStatusCode.UnprocessableEntity)).Detail);
        Assert.Contains("future", Assert.Single(await Problems(await Exclude(client, episodeId, new { reason = "died", date = "2026-11-23" }),
            HttpStatusCode.UnprocessableEntity)).Detail);
        Assert.Contains("yyyy-MM-dd", Assert.Single(await Problems(await Exclude(client, episodeId, new { reason = "died", date = "12/11/2026" }),
            HttpStatusCode.UnprocessableEntity)).Detail);
        Assert.Contains("must be one of died, returnedToCustody, removedFromUk, hospital", Assert.Single(await Problems(
            await Exclude(client, episodeId, new { reason = "Died", date = "2026-11-10" }), HttpStatusCode.UnprocessableEntity)).Detail);

        Assert.Single(await Problems(await ExcludeRaw(client, episodeId, """{"reason": "died", """), HttpStatusCode.BadRequest));
        Assert.Single(await Problems(await ExcludeRaw(client, episodeId, """["died", "2026-11-10"]"""), HttpStatusCode.BadRequest));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync($"/api/v1/episodes/{episodeId}/exclusion",
            new StringContent("reason=died", Encoding.UTF8, "application/x-www-form-urlencoded"))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await ExcludeRaw(client, episodeId,
            JsonSerializer.Serialize(new { reason = "died", date = "2026-11-10", padding = new string('x', 20_000) }))).StatusCode);

        var stored = await Stored(episodeId);
        Assert.Equal(("open", null, 1, "requested", 0), (stored.Status, stored.Reason, stored.Version, stored.TaskStatus, stored.Audits));
    }

    [Fact]
    public async Task A_date_after_the_window_is_refused_and_a_late_exclusion_inside_it_cancels_a_failed_referral()
    {
        var pdu = NewPdu();
        var (referralId, episodeId, _) = await Released("2026-10-20", pdu); // window closed on 2026-11-10
        await using (var db = hub.Db())
        {
            // As the window-close follow-up leaves it (follow-ups do not fire in these tests).
            await db.Referrals.Where(r => r.Id == referralId).ExecuteUpdateAsync(s => s.SetProperty(r => r.TaskStatus, "failed"));
            await db.Episodes.Where(e => e.Id == episodeId).ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, "not-engaged"));
        }

        Assert.Contains("2026-11-10", Assert.Single(await Problems(await Exclude(Probation(pdu), episodeId, new { reason = "died", date = "2026-11-11" }),
            HttpStatusCode.UnprocessableEntity)).Detail);
        var body = await Ok(await Exclude(Probation(pdu), episodeId, new { reason = "died", date = "2026-11-10" }));

        Assert.Equal(("excluded", "excluded", "cancelled"), (body.GetProperty("result").GetString(), body.GetProperty("outcome").GetString(),
            body.GetProperty("referralStatus").GetString()));
    }

    [Fact]
    public async Task A_return_to_custody_from_the_HMPPS_feed_takes_the_same_path_and_cancels_the_referral()
    {
        var pdu = NewPdu();
        var (_, episodeId, noms) = await Released("2026-11-07", pdu);

        await hub.AdmittedAsync(noms, "2026-11-09");

        var stored = await Stored(episodeId);
        Assert.Equal(("excluded", "returnedToCustody", "cancelled"), (stored.Status, stored.Reason, stored.TaskStatus));
        // Probation then recording the same return is a repeat.
        var body = await Ok(await Exclude(Probation(pdu), episodeId, new { reason = "returnedToCustody", date = "2026-11-09" }));
        Assert.Equal("already-excluded", body.GetProperty("result").GetString());
    }
}
