using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.WebUi;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Scope;

/// <summary>
/// One rule for every read (CallerScope): probation of another delivery unit and a prison team of another prison see
/// nothing of a person — not through the people API, the notification outcome, FHIR, nor the caseload and prison pages —
/// while the person's own delivery unit and prison do.
/// </summary>
public sealed class CrossScopeReadTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private sealed record Released(string Noms, string FamilyName, string Pdu, Guid NotificationId, Guid EpisodeId, Guid ReferralId, Guid PersonId);

    /// <summary>A release from ONI to a delivery unit of this test's own, under a family name no other test uses.</summary>
    private async Task<Released> ReleaseAsync()
    {
        var pdu = $"T{Guid.NewGuid().ToString("N")[..5].ToUpperInvariant()}";
        var familyName = "Scope" + string.Concat(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(6));
        var noms = Notifications.NewNomsNumber();
        var notification = Notifications.Example(noms, prisonCode: "ONI", releaseDate: "2026-11-20");
        notification["person"]!["familyName"] = familyName;
        notification["contacts"]!["probationPractitioner"]!["pduCode"] = pdu;
        var (referralId, episodeId) = await hub.SubmitReleaseAsync(notification);
        await using var db = hub.Db();
        var personId = (await db.Episodes.SingleAsync(e => e.Id == episodeId)).PersonId;
        return new Released(noms, familyName, pdu, Guid.Parse((string)notification["notificationId"]!), episodeId, referralId, personId);
    }

    private static async Task AssertShowsNothingAsync(HttpResponseMessage response, Released release, params HttpStatusCode[] statuses)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(statuses.Contains(response.StatusCode), $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode}");
        foreach (var personal in new[] { release.Noms, release.FamilyName, release.EpisodeId.ToString() })
            Assert.DoesNotContain(personal, body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Probation_of_another_delivery_unit_sees_nothing_through_the_API_or_the_pages()
    {
        var release = await ReleaseAsync();
        var otherPdu = $"T{Guid.NewGuid().ToString("N")[..5].ToUpperInvariant()}";
        var api = hub.ClientFor(HubRoles.Probation, pdus: [otherPdu]);

        await AssertShowsNothingAsync(await api.GetAsync($"/api/v1/people/{release.Noms}/episodes"), release, HttpStatusCode.NotFound);
        await AssertShowsNothingAsync(await api.GetAsync($"/api/v1/caseload?pdu={otherPdu}"), release, HttpStatusCode.OK);
        await AssertShowsNothingAsync(await api.GetAsync($"/api/v1/caseload?pdu={release.Pdu}"), release, HttpStatusCode.Forbidden);
        await AssertShowsNothingAsync(await api.GetAsync($"/api/v1/releases/{release.NotificationId}"), release, HttpStatusCode.NotFound);
        await AssertShowsNothingAsync(await api.GetAsync($"/fhir/ServiceRequest/{release.ReferralId}"), release, HttpStatusCode.NotFound, HttpStatusCode.Forbidden);

        var pages = await hub.SignedInBrowserAsync(HubRoles.Probation, pdu: otherPdu);
        await AssertShowsNothingAsync(await pages.GetAsync("/caseload"), release, HttpStatusCode.OK);
        await AssertShowsNothingAsync(await pages.GetAsync($"/caseload?pdu={release.Pdu}"), release, HttpStatusCode.Forbidden);
        await AssertShowsNothingAsync(await pages.GetAsync($"/caseload/people/{release.PersonId}"), release, HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        await AssertShowsNothingAsync(await pages.GetAsync($"/caseload/episodes/{release.EpisodeId}/exclusion"), release, HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        var find = await pages.PostAsync("/caseload?handler=Find", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Identifier"] = release.Noms,
            ["__RequestVerificationToken"] = BrowserSession.AntiforgeryToken(await pages.GetStringAsync("/caseload")),
        }));
        // The form gives back what was typed (the NOMS number) and says no one was found: nothing else about the person.
        var found = await find.Content.ReadAsStringAsync();
        Assert.Contains("No one with this NOMS number or CRN has a release in your delivery units", found);
        Assert.Null(find.Headers.Location);
        foreach (var personal in new[] { release.FamilyName, release.EpisodeId.ToString(), release.PersonId.ToString() }) Assert.DoesNotContain(personal, found);

        // The person's own delivery unit sees them, through the API and the pages: the rule is not "nobody".
        var own = hub.ClientFor(HubRoles.Probation, pdus: [release.Pdu]);
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"/api/v1/people/{release.Noms}/episodes")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"/api/v1/releases/{release.NotificationId}")).StatusCode);
        var ownPages = await hub.SignedInBrowserAsync(HubRoles.Probation, pdu: release.Pdu);
        Assert.Contains(release.FamilyName, await ownPages.GetStringAsync($"/caseload/people/{release.PersonId}"));
        Assert.Contains(release.FamilyName, await ownPages.GetStringAsync("/caseload"));
    }

    [Fact]
    public async Task A_prison_team_of_another_prison_sees_nothing_through_the_API_or_the_pages()
    {
        var release = await ReleaseAsync();
        var api = hub.PrisonClient("WDI");

        await AssertShowsNothingAsync(await api.GetAsync($"/api/v1/releases/{release.NotificationId}"), release, HttpStatusCode.NotFound);
        await AssertShowsNothingAsync(await api.GetAsync($"/api/v1/people/{release.Noms}/episodes"), release, HttpStatusCode.Forbidden);
        await AssertShowsNothingAsync(await api.GetAsync($"/api/v1/caseload?pdu={release.Pdu}"), release, HttpStatusCode.Forbidden);
        await AssertShowsNothingAsync(await api.GetAsync($"/fhir/ServiceRequest/{release.ReferralId}"), release, HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        await AssertShowsNothingAsync(await api.GetAsync($"/fhir/Task/{release.ReferralId}"), release, HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        var search = await api.GetFromJsonAsync<JsonElement>($"/fhir/ServiceRequest?patient.identifier=https://continuityhub.example.org/Id/noms-number|{release.Noms}");
        Assert.DoesNotContain(release.ReferralId.ToString(), search.GetRawText());

        var pages = await hub.SignedInBrowserAsync(HubRoles.PrisonHealthcare, prisons: "WDI");
        await AssertShowsNothingAsync(await pages.GetAsync("/releases"), release, HttpStatusCode.OK);
        await AssertShowsNothingAsync(await pages.GetAsync("/releases?prison=ONI"), release, HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        await AssertShowsNothingAsync(await pages.GetAsync($"/releases/notifications/{release.NotificationId}"), release, HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        await AssertShowsNothingAsync(await pages.GetAsync($"/caseload/people/{release.PersonId}"), release, HttpStatusCode.Forbidden);

        // The person's own prison sees them.
        Assert.Equal(HttpStatusCode.OK, (await hub.PrisonClient("ONI").GetAsync($"/api/v1/releases/{release.NotificationId}")).StatusCode);
        var ownPages = await hub.SignedInBrowserAsync(HubRoles.PrisonHealthcare, prisons: "ONI");
        Assert.Contains(release.FamilyName, await ownPages.GetStringAsync("/releases"));
        Assert.Contains(release.FamilyName, await ownPages.GetStringAsync($"/releases/notifications/{release.NotificationId}"));
    }
}
