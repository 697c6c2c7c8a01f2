using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// Issue 11 item 7, the whole journey, on a hub of its own (empty database): a prison team notifies a release
/// through the form → it reaches the provider covering the destination → the provider accepts and records
/// engagement → probation sees "engaged" → the dashboard counts it; a death recorded by probation → an exclusion.
/// Every step goes through the pages in the browser: the form, the provider's inbox and referral page, probation's
/// find-a-person, person page and exclusion form, and the dashboard; then a death recorded by probation shows on the
/// dashboard as an exclusion.
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

        // 2. The provider covering the destination finds it in the inbox, accepts it and records engagement on
        //    20 November, all through the pages; another provider is refused the referral's page.
        var otherProvider = await hub.SignedInPageAsync(HubRoles.TreatmentProvider, ods: "EXS2SW", name: "Sam Elsewhere");
        Assert.DoesNotContain("Jamie Journey", await otherProvider.MainTextAsync());
        Assert.Equal(403, (await otherProvider.GotoAsync($"/referrals/{referralId}"))!.Status);
        Assert.DoesNotContain("Journey", await otherProvider.MainTextAsync());

        var provider = await hub.SignedInPageAsync(HubRoles.TreatmentProvider, ods: "EXS2SN", name: "Pat Provider");
        var inboxRow = await provider.Locator("tbody tr", new() { HasText = "Jamie Journey" }).InnerTextAsync();
        Assert.Contains("New", inboxRow);
        await provider.ClickAsync("tbody a:has-text('Jamie Journey')");
        Assert.Equal($"{hub.BaseUrl}/referrals/{referralId}", provider.Url);
        await provider.ClickAsync("button:has-text('Accept referral')");
        Assert.Equal($"{hub.BaseUrl}/referrals/{referralId}?done=accepted", provider.Url);
        await provider.ClickAsync("a:has-text('Record engagement')");
        await provider.FillDateAsync("date", 20, 11, 2026);
        await provider.ClickAsync("button:has-text('Record engagement')");
        Assert.Contains("Engagement recorded", await provider.InnerTextAsync(".govuk-notification-banner"));
        Assert.Contains("First attended on 20 November 2026", await provider.InnerTextAsync(".moj-timeline"));

        // The prison team's own list now shows it accepted and engaged.
        await prison.GotoAsync("/releases");
        var row = await prison.Locator("tr", new() { HasText = "Jamie Journey" }).InnerTextAsync();
        Assert.Contains("Engaged", row);
        Assert.Contains("Yes", row);

        // 3. The probation practitioner finds the person (a POST, then their page by id) and sees "engaged".
        var probation = await hub.SignedInPageAsync(HubRoles.Probation, pdu: "N56NNE", name: "Pip Probation");
        await probation.FillAsync("#identifier", noms);
        await probation.ClickAsync("button:has-text('Find')");
        Assert.Matches($"^{hub.BaseUrl}/caseload/people/[0-9a-f-]{{36}}$", probation.Url);
        var release = await probation.Locator(".govuk-summary-card", new() { HasText = "15 November 2026" }).InnerTextAsync();
        Assert.Contains("Engaged", release);
        Assert.Contains("Engaged 20 November 2026", release);

        // 4. The commissioner's dashboard counts it.
        var commissioner = await hub.SignedInPageAsync(HubRoles.Commissioner);
        await commissioner.GotoAsync("/dashboard");
        Assert.Contains("1 of 1 people whose 21 days are decided engaged in time", await commissioner.MainTextAsync());
        Assert.Equal("0", await ExcludedCountAsync(commissioner));

        // 5. Another person released the same day dies on 18 November, before engaging: probation records the death on
        //    the person's page, and the dashboard shows it as an exclusion (the rate is unchanged: 1 of 1).
        var died = Notifications.Example(releaseDate: "2026-11-15", status: "released");
        died["person"]!["givenName"] = "Dana";
        died["person"]!["familyName"] = "Died";
        died["contacts"]!["probationPractitioner"]!["pduCode"] = "N56NNE";
        await hub.SubmitReleaseAsync(died);
        await probation.GotoAsync("/caseload");
        await probation.FillAsync("#identifier", (string)died["person"]!["nomsNumber"]!);
        await probation.ClickAsync("button:has-text('Find')");
        await probation.ClickAsync("a:has-text('Record an exclusion')");
        await probation.CheckAsync("input[name=Reason][value=died]");
        await probation.FillDateAsync("date", 18, 11, 2026);
        await probation.ClickAsync("button:has-text('Record exclusion')");
        Assert.Contains("Died, 18 November 2026", await probation.MainTextAsync());

        await commissioner.GotoAsync("/dashboard");
        Assert.Equal("1", await ExcludedCountAsync(commissioner));
        Assert.Contains("1 of 1 people whose 21 days are decided engaged in time", await commissioner.MainTextAsync());
    }

    private static async Task<string> ExcludedCountAsync(IPage page) =>
        (await page.Locator("tr:has(th:text-is('Excluded')) td").First.InnerTextAsync()).Trim();
}
