using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Hardening;

/// <summary>The caseload is paged (page, limit ≤ 500), for a <c>*</c> caller too; only the page answered is audited.</summary>
public sealed class CaseloadPagingTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task The_caseload_answers_one_page_at_a_time_and_audits_only_that_page()
    {
        var pdu = $"PG{Random.Shared.Next(100_000, 999_999)}";
        var episodes = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var notification = Notifications.Example();
            notification["contacts"]!["probationPractitioner"]!["pduCode"] = pdu;
            episodes.Add((await hub.SubmitReleaseAsync(notification)).EpisodeId);
        }
        var all = hub.ClientFor(HubRoles.Probation, pdus: ["*"]);

        var first = await all.GetFromJsonAsync<JsonElement>($"/api/v1/caseload?pdu={pdu}&limit=2");
        var second = await all.GetFromJsonAsync<JsonElement>($"/api/v1/caseload?pdu={pdu}&limit=2&page=2");
        Assert.Equal(3, first.GetProperty("count").GetInt32());
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        Assert.False(second.GetProperty("hasMore").GetBoolean());
        var ids = first.GetProperty("episodes").EnumerateArray().Concat(second.GetProperty("episodes").EnumerateArray())
            .Select(e => e.GetProperty("episodeId").GetGuid()).ToList();
        Assert.Equal(2, first.GetProperty("episodes").GetArrayLength());
        Assert.Equal(episodes.Order(), ids.Order());

        // The whole-country caseload without a pdu is paged too, by default at 100.
        var national = await all.GetFromJsonAsync<JsonElement>("/api/v1/caseload");
        Assert.Equal(100, national.GetProperty("limit").GetInt32());

        await using var db = hub.Db();
        var audited = await db.AuditLog.CountAsync(a => a.Action == "caseload.read" && episodes.Select(e => e.ToString()).Contains(a.ResourceId));
        Assert.True(audited >= 3);

        foreach (var bad in new[] { "limit=0", "limit=501", "page=0", "page=x", "limit=99999999999" })
            Assert.Equal(HttpStatusCode.BadRequest, (await all.GetAsync($"/api/v1/caseload?pdu={pdu}&{bad}")).StatusCode);
    }
}
