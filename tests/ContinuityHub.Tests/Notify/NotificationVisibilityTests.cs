using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Security;
using System.Text.Encodings.Web;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.WebUi;
using Microsoft.EntityFrameworkCore;
using static ContinuityHub.Tests.Notify.NotificationOutboxTests;

namespace ContinuityHub.Tests.Notify;

/// <summary>
/// Contract §6: with no Notify configured (the embedded default) messages stay in the outbox and are visible —
/// to ADMIN, and to the prison team, provider and probation delivery unit of the episode they are about, not
/// to anyone else. Reads are audited; bad query values are a 400 naming the parameter.
/// </summary>
public sealed class NotificationVisibilityTests
{
    private static async Task<JsonElement> ListAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync($"/api/v1/notifications{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static string[] References(JsonElement list) =>
        list.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("reference").GetString()!).ToArray();

    [Fact]
    public async Task Without_an_API_key_emails_stay_pending_and_are_visible_to_admin_and_to_the_episodes_own_teams_only()
    {
        await using var hub = new NotifyHub(notify: null);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example()); // ONI, NN17 → EXS2SN, PDU N56NNE
        var other = await hub.PrisonClient("WDI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(prisonCode: "WDI", postcode: "NN1 1AA"));
        var otherEpisode = JsonDocument.Parse(await other.Content.ReadAsStringAsync()).RootElement.GetProperty("episodeId").GetGuid();
        var reference = $"{episodeId}:release-minus-1:prison-team";
        await EnqueueAsync(hub, Email(episodeId, reference, address: "healthcare.oni@example.nhs.uk"));

        // Time passes, the dispatcher polls: nothing is sent, nothing is lost.
        await Task.Delay(300);
        hub.Clock.Advance(TimeSpan.FromDays(1));
        await Task.Delay(300);
        var row = Assert.Single(await RowsAsync(hub, episodeId));
        Assert.Equal((QueuedEmailStates.Pending, 0, (Guid?)null), (row.State, row.Attempts, row.ClaimToken));

        var admin = await ListAsync(hub.ClientFor(HubRoles.Admin));
        Assert.False(admin.GetProperty("notifyConfigured").GetBoolean());
        var shown = Assert.Single(admin.GetProperty("notifications").EnumerateArray());
        Assert.Equal(reference, shown.GetProperty("reference").GetString());
        Assert.Equal("reminder", shown.GetProperty("templateKey").GetString());
        Assert.Equal(RecipientRoles.Provider, shown.GetProperty("recipientRole").GetString());
        Assert.Equal("healthcare.oni@example.nhs.uk", shown.GetProperty("emailAddress").GetString());
        Assert.Equal("pending", shown.GetProperty("state").GetString());
        Assert.Equal(0, shown.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("lastError").ValueKind);
        Assert.Equal(JsonValueKind.Null, shown.GetProperty("sentAt").ValueKind);
        Assert.Equal(episodeId, shown.GetProperty("episodeId").GetGuid());
        Assert.Equal(HubFactory.DefaultNow, shown.GetProperty("createdAt").GetDateTimeOffset());
        // Delivery facts only: no personalisation, nothing about the person.
        Assert.DoesNotContain("personalisation", admin.GetRawText());
        foreach (var personal in new[] { "Sam", "Example", "9434765919", "1985-03-14" }) Assert.DoesNotContain(personal, admin.GetRawText());

        Assert.Equal([reference], References(await ListAsync(hub.ClientFor(HubRoles.PrisonHealthcare, prisons: ["oni"]))));
        Assert.Equal([reference], References(await ListAsync(hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN"))));
        Assert.Equal([reference], References(await ListAsync(hub.ClientFor(HubRoles.Probation, pdus: ["N56NNE"]))));
        Assert.Equal([reference], References(await ListAsync(hub.ClientFor(HubRoles.Probation, pdus: ["*"]))));
        Assert.Empty(References(await ListAsync(hub.ClientFor(HubRoles.PrisonHealthcare, prisons: ["WDI"]))));
        Assert.Empty(References(await ListAsync(hub.ClientFor(HubRoles.TreatmentProvider, ods: "OTHER1"))));
        Assert.Empty(References(await ListAsync(hub.ClientFor(HubRoles.Probation, pdus: ["N07XX"]))));
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.ClientFor(HubRoles.Commissioner).GetAsync("/api/v1/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hub.ClientFor(HubRoles.EventFeed).GetAsync("/api/v1/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await hub.CreateClient().GetAsync("/api/v1/notifications")).StatusCode);

        // Filters.
        var admins = hub.ClientFor(HubRoles.Admin);
        Assert.Equal([reference], References(await ListAsync(admins, $"?state=pending&episodeId={episodeId}")));
        Assert.Empty(References(await ListAsync(admins, "?state=sent")));
        Assert.Empty(References(await ListAsync(admins, $"?episodeId={otherEpisode}")));

        // Each showing of the episode's messages is audited (6 above showed it); empty answers showed nothing.
        await using var db = hub.Db();
        var audits = await db.AuditLog.Where(a => a.Action == "notifications.read").ToListAsync();
        Assert.Equal(6, audits.Count);
        Assert.All(audits, a => Assert.Equal(("Episode", episodeId.ToString()), (a.ResourceType, a.ResourceId)));
    }

    [Fact]
    public async Task The_outbox_page_shows_a_waiting_email_to_the_episodes_prison_team_and_says_Notify_is_not_configured()
    {
        await using var hub = new NotifyHub(notify: null);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var reference = $"{episodeId}:release-minus-1:prison-team";
        await EnqueueAsync(hub, Email(episodeId, reference, address: "healthcare.oni@example.nhs.uk"));

        var response = await (await hub.SignedInBrowserAsync(HubRoles.PrisonHealthcare, prisons: "ONI")).GetAsync("/notifications?state=pending");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("GOV.UK Notify is not configured.", page);
        Assert.Contains(HtmlEncoder.Default.Encode(reference), page);
        Assert.Contains("healthcare.oni@example.nhs.uk", page);
        Assert.Contains("<td class=\"govuk-table__cell\">Waiting to be sent</td>", page);
        Assert.Contains("22 Nov 2026 10:00", page);
        foreach (var personal in new[] { "Sam", "9434765919", "1985-03-14" }) Assert.DoesNotContain(personal, page);

        var otherPrison = await (await hub.SignedInBrowserAsync(HubRoles.PrisonHealthcare, prisons: "WDI")).GetStringAsync("/notifications");
        Assert.Contains("No emails to show.", otherPrison);
        Assert.DoesNotContain(reference, otherPrison);
        var commissioner = await hub.SignedInBrowserAsync(HubRoles.Commissioner);
        Assert.Equal(HttpStatusCode.Forbidden, (await commissioner.GetAsync("/notifications")).StatusCode);
        var badFilter = await (await hub.SignedInBrowserAsync(HubRoles.Admin)).GetAsync("/notifications?state=lost");
        Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
        Assert.Contains("state must be one of pending, sent, failed, undeliverable, withheld.", await badFilter.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_query_values_are_a_400_problem_naming_each_parameter()
    {
        await using var hub = new NotifyHub(notify: null);

        var response = await hub.ClientFor(HubRoles.Admin).GetAsync("/api/v1/notifications?state=lost&episodeId=42&limit=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["state", "episodeId", "limit"],
            problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("parameter").GetString()!).ToArray());
    }
}
