using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>Issue #4 item 6: GET /api/v1/followups for ADMIN, and readiness reporting overdue follow-ups.</summary>
public sealed class FollowUpVisibilityTests
{
    [Fact]
    public async Task Admin_lists_due_and_done_follow_ups_with_ids_times_and_states_only()
    {
        await using var hub = FollowUpHub.Node(fire: false);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example(releaseDate: "2026-11-29"));
        var plan = await hub.FollowUpsAsync(episodeId);
        hub.Clock.Set(plan[0].DueAt.AddMinutes(1));
        await hub.RunAsync(plan[0].Id);
        var admin = hub.ClientFor(HubRoles.Admin);

        var due = await (await admin.GetAsync("/api/v1/followups?status=due")).Content.ReadFromJsonAsync<JsonElement>();
        var done = await (await admin.GetAsync("/api/v1/followups?status=done")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(["day-2-escalation", "day-7-alert", "day-14-alert", "window-close"],
            due.GetProperty("followUps").EnumerateArray().Select(f => f.GetProperty("checkpoint").GetString()));
        var first = due.GetProperty("followUps")[0];
        Assert.Equal(episodeId, first.GetProperty("episodeId").GetGuid());
        Assert.Equal("2026-12-01T09:00:00+00:00", first.GetProperty("dueAt").GetString());
        Assert.Equal("scheduled", first.GetProperty("state").GetString());
        Assert.False(first.GetProperty("overdue").GetBoolean());
        var ran = Assert.Single(done.GetProperty("followUps").EnumerateArray());
        Assert.Equal(("day-before-release", "done", 1), (ran.GetProperty("checkpoint").GetString(), ran.GetProperty("state").GetString(), ran.GetProperty("attempts").GetInt32()));
        Assert.Equal(JsonValueKind.Null, ran.GetProperty("lastError").ValueKind);
        // Identifiers, times and states only: the person's name, NHS number and date of birth never appear.
        var text = await (await admin.GetAsync("/api/v1/followups?status=due")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Sam", text);
        Assert.DoesNotContain("9434765919", text);
        Assert.DoesNotContain("1985-03-14", text);
    }

    [Theory]
    [InlineData("status=soon", "status")]
    [InlineData("status=due&limit=0", "limit")]
    [InlineData("limit=many", "limit")]
    public async Task A_bad_query_is_a_400_problem_naming_the_parameter(string query, string parameter)
    {
        await using var hub = FollowUpHub.Node(fire: false);
        var response = await hub.ClientFor(HubRoles.Admin).GetAsync($"/api/v1/followups?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([parameter], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("parameter").GetString()));
    }

    [Fact]
    public async Task Only_admin_may_list_follow_ups()
    {
        await using var hub = FollowUpHub.Node(fire: false);
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.ClientFor(HubRoles.Probation, pdus: ["*"]).GetAsync("/api/v1/followups")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await hub.CreateClient().GetAsync("/api/v1/followups")).StatusCode);
    }

    [Fact]
    public async Task Readiness_is_unhealthy_while_a_follow_up_is_more_than_15_minutes_overdue()
    {
        await using var hub = FollowUpHub.Node(fire: false);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example(releaseDate: "2026-11-29"));
        var first = (await hub.FollowUpsAsync(episodeId))[0];
        var anonymous = hub.CreateClient();

        hub.Clock.Set(first.DueAt.AddMinutes(14));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);

        hub.Clock.Set(first.DueAt.AddMinutes(16));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await anonymous.GetAsync("/health/ready")).StatusCode);
        var listed = await (await hub.ClientFor(HubRoles.Admin).GetAsync("/api/v1/followups")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(listed.GetProperty("followUps")[0].GetProperty("overdue").GetBoolean());

        await hub.RunAsync(first.Id);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
    }
}
