using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Admin;

/// <summary>GET /api/v1/audit for ADMIN: who, role, what, which record, when, correlation id; filtered, paged, refusals included.</summary>
public sealed class AuditEndpointTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private HttpClient Admin() => hub.ClientFor(HubRoles.Admin);

    private static List<JsonElement> Entries(JsonElement page) => [.. page.GetProperty("entries").EnumerateArray()];

    private async Task<(Guid ReferralId, Guid EpisodeId, Guid PersonId)> ReleaseAsync()
    {
        var noms = Notifications.NewNomsNumber();
        var (referralId, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example(noms));
        await using var db = hub.Db();
        return (referralId, episodeId, (await db.People.SingleAsync(p => p.NomsNumber == noms)).Id);
    }

    [Fact]
    public async Task A_persons_entries_name_who_with_which_role_did_what_to_which_record_when_and_the_correlation_id()
    {
        var (referralId, episodeId, personId) = await ReleaseAsync();
        var provider = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");
        provider.DefaultRequestHeaders.Add("X-Correlation-Id", "audit-test-1");
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/fhir/ServiceRequest/{referralId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync($"/fhir/Patient/{personId}")).StatusCode);

        var page = await Admin().GetFromJsonAsync<JsonElement>($"/api/v1/audit?person={personId}");

        var entries = Entries(page);
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "release-notification.receive" && e.GetProperty("resourceId").GetString() == episodeId.ToString());
        var read = Assert.Single(entries, e => e.GetProperty("action").GetString() == "fhir.read" && e.GetProperty("resourceType").GetString() == "ServiceRequest");
        Assert.Equal((referralId.ToString(), "test-user", "TREATMENT_PROVIDER", "audit-test-1", false),
            (read.GetProperty("resourceId").GetString(), read.GetProperty("user").GetString(), read.GetProperty("roles").GetString(),
             read.GetProperty("correlationId").GetString(), read.GetProperty("refused").GetBoolean()));
        Assert.True(read.GetProperty("occurredAt").GetDateTimeOffset() > DateTimeOffset.MinValue);
        Assert.Contains(entries, e => e.GetProperty("resourceType").GetString() == "Patient" && e.GetProperty("resourceId").GetString() == personId.ToString());
        // Another person's entries are not in this person's list.
        var (_, otherEpisode, _) = await ReleaseAsync();
        var again = Entries(await Admin().GetFromJsonAsync<JsonElement>($"/api/v1/audit?person={personId}"));
        Assert.DoesNotContain(again, e => e.GetProperty("resourceId").GetString() == otherEpisode.ToString());
        Assert.All(Entries(await Admin().GetFromJsonAsync<JsonElement>($"/api/v1/audit?episode={otherEpisode}")),
            e => Assert.Equal(otherEpisode.ToString(), e.GetProperty("resourceId").GetString()));
    }

    [Fact]
    public async Task Refused_reads_of_a_persons_record_are_audited_and_marked_refused()
    {
        var (referralId, _, personId) = await ReleaseAsync();
        var otherPrison = hub.ClientFor(HubRoles.PrisonHealthcare, prisons: ["WDI"], subject: "nosy-user");
        Assert.Equal(HttpStatusCode.Forbidden, (await otherPrison.GetAsync($"/fhir/ServiceRequest/{referralId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await otherPrison.GetAsync($"/fhir/Patient/{personId}")).StatusCode);
        var unknown = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await otherPrison.GetAsync($"/fhir/Task/{unknown}")).StatusCode);
        // The wrong role altogether is refused before the endpoint, and audited all the same.
        var commissioner = hub.ClientFor(HubRoles.Commissioner, subject: "nosy-user");
        Assert.Equal(HttpStatusCode.Forbidden, (await commissioner.GetAsync($"/api/v1/people/A1234BC/episodes")).StatusCode);

        var refused = Entries(await Admin().GetFromJsonAsync<JsonElement>("/api/v1/audit?user=nosy-user&refused=true&pageSize=500"));

        Assert.Equal(
            [("Person", "A1234BC"), ("Task", unknown.ToString()), ("Patient", personId.ToString()), ("ServiceRequest", referralId.ToString())],
            refused.Select(e => (e.GetProperty("resourceType").GetString(), e.GetProperty("resourceId").GetString())));
        Assert.All(refused, e => Assert.True(e.GetProperty("refused").GetBoolean()));
        Assert.Empty(Entries(await Admin().GetFromJsonAsync<JsonElement>("/api/v1/audit?user=nosy-user&refused=false")));
    }

    [Fact]
    public async Task Entries_are_filtered_by_time_paged_newest_first_and_reading_them_is_audited()
    {
        await ReleaseAsync();
        await ReleaseAsync();
        // Another subject than the senders', so the admin's own (audited) reads do not shift the pages of theirs.
        var admin = hub.ClientFor(HubRoles.Admin, subject: "auditor");

        var first = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?user=test-user&pageSize=1&page=1&from=2026-11-22&to=2026-11-23T00:00:00Z");
        var second = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?user=test-user&pageSize=1&page=2&from=2026-11-22&to=2026-11-23T00:00:00Z");
        var none = await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit?to=2026-01-01");

        Assert.Equal((1, 1), (first.GetProperty("page").GetInt32(), first.GetProperty("pageSize").GetInt32()));
        Assert.True(first.GetProperty("total").GetInt32() >= 2);
        Assert.True(Entries(first)[0].GetProperty("id").GetInt64() > Entries(second)[0].GetProperty("id").GetInt64());
        Assert.Equal(0, none.GetProperty("total").GetInt32());
        await using var db = hub.Db();
        Assert.Equal(3, await db.AuditLog.CountAsync(a => a.Action == "audit.read" && a.ActorSubject == "auditor"));
    }

    [Fact]
    public async Task Bad_filter_values_are_a_400_naming_each_parameter()
    {
        var response = await Admin().GetAsync("/api/v1/audit?person=someone&episode=1&from=yesterday&to=0001-01-01&refused=maybe&page=0&pageSize=100000&colour=red");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["colour", "person", "episode", "from", "to", "refused", "page", "pageSize"],
            problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("parameter").GetString()));
        var reversed = await Admin().GetAsync("/api/v1/audit?from=2026-11-22&to=2026-11-01");
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
    }

    [Fact]
    public async Task Only_ADMIN_reads_the_audit_trail()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.ClientFor(HubRoles.Probation, pdus: ["*"]).GetAsync("/api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.ClientFor(HubRoles.Commissioner).GetAsync("/api/v1/data-quality")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await hub.CreateClient().GetAsync("/api/v1/audit")).StatusCode);
    }
}
