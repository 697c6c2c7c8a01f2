using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Data;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.ProviderPush;
using ContinuityHub.Tests.WebUi;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>
/// Issue #14: the Hangfire Dashboard at /admin/jobs for ADMIN only (web UI sign-in), showing the follow-up sweep,
/// its retries and failures; a follow-up that fails is recorded on its row and does not hold back the others.
/// </summary>
public sealed class FollowUpDashboardTests
{
    [Fact]
    public async Task Only_a_signed_in_admin_sees_the_job_dashboard_others_get_403_and_strangers_the_sign_in()
    {
        await using var hub = FollowUpHub.Node(fire: false);

        var admin = await hub.SignedInBrowserAsync(HubRoles.Admin);
        var page = await admin.GetAsync(FollowUpDashboard.Path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("ContinuityHub jobs", await page.Content.ReadAsStringAsync());

        foreach (var role in new[] { HubRoles.Commissioner, HubRoles.Probation, HubRoles.PrisonHealthcare, HubRoles.TreatmentProvider })
        {
            var other = await hub.SignedInBrowserAsync(role, prisons: "ONI", ods: "EXS2SN", pdu: "N56NNE");
            Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync(FollowUpDashboard.Path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync(FollowUpDashboard.Path + "/recurring")).StatusCode);
        }

        var stranger = await hub.NewBrowser().GetAsync(FollowUpDashboard.Path + "/jobs/failed");
        Assert.Equal(HttpStatusCode.Redirect, stranger.StatusCode);
        Assert.Contains("/dev/signin?ReturnUrl=%2Fadmin%2Fjobs", stranger.Headers.Location!.OriginalString);
        // A bearer token is no way in: the dashboard is a web UI page (cookie session only); it ends at the sign-in.
        var bearer = await hub.ClientFor(HubRoles.Admin).GetAsync(FollowUpDashboard.Path);
        Assert.EndsWith("/dev/signin", bearer.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.DoesNotContain("ContinuityHub jobs", await bearer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_follow_up_that_fails_is_retried_later_without_holding_back_the_others_and_the_dashboard_shows_the_failed_sweep()
    {
        var now = DateTimeOffset.UtcNow;
        var releaseDate = LondonTime.DateOf(now).AddDays(-22);
        string connectionString;
        var episodes = new List<Guid>();
        await using (var planner = FollowUpHub.Node(fire: false))
        {
            planner.Clock.Set(now.AddDays(-30));
            for (var i = 0; i < 3; i++)
                episodes.Add((await planner.SubmitReleaseAsync(Notifications.Example(releaseDate: releaseDate.ToString("yyyy-MM-dd")))).EpisodeId);
            connectionString = planner.ConnectionString;
        }
        var failing = episodes[0];
        // The database refuses the audit entries of one episode: its follow-ups cannot run.
        TestPostgres.Execute(connectionString, $"""
            CREATE FUNCTION refuse_episode() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.resource_id = '{failing}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_episode BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_episode();
            """);

        await using var node = FollowUpHub.Node(fire: true, connectionString);
        _ = node.Server;
        var rows = await Eventually.WaitForAsync(async () =>
        {
            await using var db = node.Db();
            return await db.Set<FollowUp>().AsNoTracking().ToListAsync();
        }, all => all.Where(f => f.EpisodeId != failing).All(f => f.State != FollowUpStates.Scheduled)
                  && all.Where(f => f.EpisodeId == failing).All(f => f.Attempts >= 1), "the sweep to run what it can", TimeSpan.FromSeconds(90));

        Assert.All(rows.Where(f => f.EpisodeId != failing && f.Checkpoint == "window-close"), f => Assert.Equal(FollowUpStates.Done, f.State));
        var failed = rows.Where(f => f.EpisodeId == failing).ToList();
        // Recorded on the row, never run: still scheduled, its retry after RetryDelay (1 minute), the error type only.
        Assert.All(failed, f => Assert.Equal((FollowUpStates.Scheduled, "PostgresException"), (f.State, f.LastError)));
        Assert.All(failed, f => Assert.True(f.FireAt > now.AddSeconds(30), "its retry waits for its backoff"));
        Assert.DoesNotContain(await OutboxRows.ReadAsync(connectionString), r => r.EpisodeId == failing);
        var due = await (await node.ClientFor(HubRoles.Admin).GetAsync("/api/v1/followups?status=due")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(due.GetProperty("followUps").EnumerateArray(), f => Assert.Equal("PostgresException", f.GetProperty("lastError").GetString()));

        // Hangfire holds the failed sweep for a retry (AutomaticRetry); the dashboard lists it among the retries.
        var admin = await node.SignedInBrowserAsync(HubRoles.Admin);
        var retries = await Eventually.WaitForAsync(() => admin.GetStringAsync(FollowUpDashboard.Path + "/retries"),
            page => page.Contains("Run the follow-ups due"), "the failed sweep on the dashboard's retries page", TimeSpan.FromSeconds(30));
        Assert.Contains("Run the follow-ups due", retries);
        var recurring = await admin.GetStringAsync(FollowUpDashboard.Path + "/recurring");
        Assert.Contains(FollowUpSweep.RecurringJobId, recurring);
    }
}
