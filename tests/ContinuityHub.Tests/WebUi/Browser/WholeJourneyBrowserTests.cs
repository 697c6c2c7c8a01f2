using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// Issue 11 item 7, the whole journey, on a hub of its own (empty database): a prison team notifies a release
/// through the form → it reaches the provider covering the destination → the provider accepts and records
/// engagement → probation sees "engaged" → the dashboard counts it.
/// The provider's inbox/referral pages and probation's person page were not on main when this test was
/// written, so those two steps go through the API those pages call (the same services); the form, the outcome
/// page and the dashboard are driven in the browser.
/// </summary>
public sealed class WholeJourneyBrowserTests(BrowserHub hub) : IClassFixture<BrowserHub>
{
    [Fact]
    public async Task A_release_notified_through_the_form_is_referred_accepted_engaged_seen_by_probation_and_counted_on_the_dashboard()
    {
        // 1. The prison healthcare team notifies the release through the form (released on 15 November 2026).
        var prison = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI", name: "Pat Prison");
        var noms = Notifications.NewNomsNumber();
        await prison.GotoAsync("/releases/notify");
        await prison.ClickAsync("main button.govuk-button--start");
        await prison.FillAsync("#nomsNumber", noms);
        await prison.FillAsync("#givenName", "Jamie");
        await prison.FillAsync("#familyName", "Journey");
        await prison.FillAsync("#dateOfBirth-day", "5");
        await prison.FillAsync("#dateOfBirth-month", "6");
        await prison.FillAsync("#dateOfBirth-year", "1987");
        await prison.ClickAsync("main button:has-text('Continue')");
        await prison.FillAsync("#releaseDate-day", "15");
        await prison.FillAsync("#releaseDate-month", "11");
        await prison.FillAsync("#releaseDate-year", "2026");
        await prison.CheckAsync("#status-2");                       // released
        await prison.CheckAsync("#destination");
        await prison.FillAsync("#postcode", "NN17 1AA");            // North Northamptonshire → EXS2SN
        await prison.ClickAsync("main button:has-text('Continue')");
        await prison.CheckAsync("#substances");                     // opiates
        await prison.ClickAsync("main button:has-text('Continue')");
        await prison.CheckAsync("#consentToShare");
        await prison.FillAsync("#probationPduCode", "N56NNE");
        await prison.ClickAsync("main button:has-text('Continue')");
        await prison.ClickAsync("main button#send");
        Assert.Equal("Release notified: referral sent", (await prison.InnerTextAsync("h1")).Trim());
        Assert.Contains("(EXS2SN)", await prison.MainTextAsync());

        Guid referralId;
        await using (var db = hub.Db())
        {
            var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
            var referral = await db.Referrals.SingleAsync(r => r.EpisodeId == episode.Id);
            Assert.Equal("EXS2SN", referral.ProviderOds);
            referralId = referral.Id;
        }

        // 2. The provider covering the destination has it, accepts it and records engagement on 20 November.
        var provider = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");
        var inbox = await provider.GetFromJsonAsync<JsonElement>("/fhir/Task?owner=EXS2SN&status=requested");
        Assert.Contains(inbox.GetProperty("entry").EnumerateArray(), e => e.GetProperty("resource").GetProperty("id").GetString() == referralId.ToString());
        var otherProvider = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SW");
        Assert.False((await otherProvider.PostAsync($"/api/v1/referrals/{referralId}/accept", null)).IsSuccessStatusCode);
        (await provider.PostAsync($"/api/v1/referrals/{referralId}/accept", null)).EnsureSuccessStatusCode();
        (await provider.PostAsJsonAsync($"/api/v1/referrals/{referralId}/engagement", new { date = "2026-11-20" })).EnsureSuccessStatusCode();

        // The prison team's own list now shows it accepted and engaged.
        await prison.GotoAsync("/releases");
        var row = await prison.Locator("tr", new() { HasText = "Jamie Journey" }).InnerTextAsync();
        Assert.Contains("Engaged", row);
        Assert.Contains("Yes", row);

        // 3. The probation practitioner sees "engaged".
        var probation = hub.ClientFor(HubRoles.Probation, pdus: ["N56NNE"]);
        var person = await probation.GetFromJsonAsync<JsonElement>($"/api/v1/people/{noms}/episodes");
        var status = Assert.Single(person.GetProperty("episodes").EnumerateArray());
        Assert.Equal("engaged", status.GetProperty("outcome").GetString());
        Assert.Equal("2026-11-20", status.GetProperty("engagedOn").GetString());

        // 4. The commissioner's dashboard counts it.
        var commissioner = await hub.SignedInPageAsync(HubRoles.Commissioner);
        await commissioner.GotoAsync("/dashboard");
        Assert.Contains("1 of 1 people whose 21 days are decided engaged in time", await commissioner.MainTextAsync());
    }
}
