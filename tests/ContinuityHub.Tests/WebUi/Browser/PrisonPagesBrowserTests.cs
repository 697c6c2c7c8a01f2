using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// Issue 11, prison healthcare, in a real browser: "Releases from my prisons" (full, empty, scoped and audited),
/// refusals outside the caller's prisons, and "Notify a release" completed with the keyboard only and with
/// JavaScript off, each page checked with axe and photographed for the README.
/// </summary>
public sealed partial class PrisonPagesBrowserTests(PrisonBrowserHub hub) : IClassFixture<PrisonBrowserHub>
{
    [Fact]
    public async Task Releases_from_my_prisons_lists_the_next_and_last_28_days_with_referral_state_and_acceptance_and_audits_each()
    {
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI", name: "Pat Prison");

        Assert.Equal(hub.BaseUrl + "/releases", page.Url);
        var upcoming = await page.InnerTextAsync("table[aria-labelledby=upcoming]");
        var recent = await page.InnerTextAsync("table[aria-labelledby=recent]");
        Assert.Contains("Robin Upcoming", upcoming);
        Assert.Contains("Kit No-Consent", upcoming);
        Assert.Contains("Jo Engaged", recent);
        var accepted = page.Locator("table[aria-labelledby=upcoming] tr", new() { HasText = "Ash Accepted" });
        Assert.Contains("Accepted", await accepted.Locator("td").Nth(4).InnerTextAsync());
        Assert.Equal("Yes", (await accepted.Locator("td").Nth(5).InnerTextAsync()).Trim());
        var unaccepted = page.Locator("table[aria-labelledby=upcoming] tr", new() { HasText = "Robin Upcoming" });
        Assert.Equal("Not yet", (await unaccepted.Locator("td").Nth(5).InnerTextAsync()).Trim());
        Assert.Contains("No referral (no consent)", await page.Locator("tr", new() { HasText = "Kit No-Consent" }).InnerTextAsync());
        Assert.Contains("Engaged", await page.Locator("tr", new() { HasText = "Jo Engaged" }).Locator("td").Nth(4).InnerTextAsync());
        var main = await page.MainTextAsync();
        Assert.DoesNotContain("Long-Ago", main);                 // outside the 28 days either side
        Assert.DoesNotContain(hub.WoodhillFamilyName, main);    // another prison's release
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("releases");

        await using var db = hub.Db();
        // The seeded releases inside the 28 days (other tests of the class add their own).
        string[] seeded = ["Upcoming", "Accepted", "No-Consent", "Engaged"];
        var shown = await db.Episodes.Where(e => seeded.Contains(e.Person!.FamilyName)).Select(e => e.Id.ToString()).ToListAsync();
        var audited = await db.AuditLog.Where(a => a.Action == "prison.releases.read" && a.ActorSubject == "dev:Pat Prison").Select(a => a.ResourceId).ToListAsync();
        Assert.Equal(4, shown.Count);
        Assert.All(shown, id => Assert.Contains(id, audited));
    }

    [Fact]
    public async Task A_prison_without_releases_sees_the_empty_state()
    {
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "GTI");

        var main = await page.MainTextAsync();
        Assert.Contains("No releases from your prisons in the next 28 days.", main);
        Assert.Contains("No releases from your prisons in the last 28 days.", main);
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("releases-empty");
    }

    [Fact]
    public async Task Another_prisons_releases_and_notifications_are_a_403_page_showing_nothing()
    {
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI");

        var list = await page.GotoAsync("/releases?prison=WDI");
        Assert.Equal(403, list!.Status);
        Assert.Equal("You do not have access to this page", (await page.InnerTextAsync("h1")).Trim());
        Assert.DoesNotContain(hub.WoodhillFamilyName, await page.ContentAsync());

        var outcome = await page.GotoAsync($"/releases/notifications/{hub.WoodhillNotificationId}");
        Assert.Equal(403, outcome!.Status);
        Assert.DoesNotContain(hub.WoodhillFamilyName, await page.ContentAsync());
        Assert.DoesNotContain("Sol", await page.MainTextAsync());
        await page.AssertAccessibleAsync();

        var provider = await hub.SignedInPageAsync(HubRoles.TreatmentProvider, ods: PrisonBrowserHub.ProviderOds);
        foreach (var path in new[] { "/releases", "/releases/notify", "/releases/upload" })
            Assert.Equal(403, (await provider.GotoAsync(path))!.Status);
    }

    [Fact]
    public async Task A_release_is_notified_with_the_keyboard_only_and_no_answer_ever_appears_in_a_URL()
    {
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI", name: "Kay Keyboard");
        var urls = new List<string>();
        page.Request += (_, request) => urls.Add(request.Url);
        var noms = Notifications.NewNomsNumber();

        await Keys.TabToAsync(page, "main a[href='/releases/notify']");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/releases/notify");
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("notify-start");
        await Keys.TabToAsync(page, "main button.govuk-button--start");
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForURLAsync("**/person");
        await Keys.TypeIntoAsync(page, "#nomsNumber", noms);
        await Keys.TypeIntoAsync(page, "#givenName", "Morgan");
        await Keys.TypeIntoAsync(page, "#familyName", "Keyboard");
        await Keys.TypeIntoAsync(page, "#dateOfBirth-day", "14");
        await Keys.TypeIntoAsync(page, "#dateOfBirth-month", "3");
        await Keys.TypeIntoAsync(page, "#dateOfBirth-year", "1985");
        await Keys.TypeIntoAsync(page, "#nhsNumber", "943 476 5919");
        await Keys.ChooseAsync(page, "gender", 0);
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("notify-person");
        await Keys.ContinueAsync(page);

        await page.WaitForURLAsync("**/release");
        await Keys.TypeIntoAsync(page, "#releaseDate-day", "3");
        await Keys.TypeIntoAsync(page, "#releaseDate-month", "12");
        await Keys.TypeIntoAsync(page, "#releaseDate-year", "2026");
        await Keys.ChooseAsync(page, "status", 0);
        await Keys.TypeIntoAsync(page, "#releaseType", "licence");
        await Keys.ChooseAsync(page, "destination", 0);
        Assert.True(await page.IsVisibleAsync("#postcode"));   // revealed by choosing "At an address"
        await Keys.TypeIntoAsync(page, "#postcode", "NN17 1AA");
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("notify-release");
        await Keys.ContinueAsync(page);

        await page.WaitForURLAsync("**/treatment-need");
        await Keys.TabToAsync(page, "#substances");
        await page.Keyboard.PressAsync("Space");
        await Keys.TabToAsync(page, "#substances-2");
        await page.Keyboard.PressAsync("Space");
        await Keys.ChooseAsync(page, "inTreatmentInCustody", 0);
        Assert.False(await page.IsVisibleAsync("#ostDailyDoseMg")); // hidden until "yes", with JavaScript on
        await Keys.ChooseAsync(page, "onOst", 0);
        await Keys.ChooseAsync(page, "ostMedication", 0);
        await Keys.TypeIntoAsync(page, "#ostDailyDoseMg", "60");
        await Keys.TypeIntoAsync(page, "#ostLastDoseDate-day", "21");
        await Keys.TypeIntoAsync(page, "#ostLastDoseDate-month", "11");
        await Keys.TypeIntoAsync(page, "#ostLastDoseDate-year", "2026");
        await Keys.ChooseAsync(page, "ostBridgingPrescription", 0);
        await Keys.ChooseAsync(page, "naloxoneIssued", 0);
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("notify-treatment-need");
        await Keys.ContinueAsync(page);

        await page.WaitForURLAsync("**/contacts");
        await Keys.ChooseAsync(page, "consentToShare", 0);
        await Keys.TypeIntoAsync(page, "#prisonTeamEmail", "healthcare.oni@example.nhs.uk");
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("notify-contacts");
        await Keys.ContinueAsync(page);

        await page.WaitForURLAsync("**/check");
        Assert.Contains("Morgan", await page.InnerTextAsync("#givenName"));
        Assert.Contains("14 March 1985", await page.InnerTextAsync("#dateOfBirth-day"));
        Assert.Contains("Opiates, Crack cocaine", await page.InnerTextAsync("#substances"));
        Assert.Contains("60 mg", await page.InnerTextAsync("#ostDailyDoseMg"));
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("notify-check-answers");
        await Keys.TabToAsync(page, "main button#send");
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForURLAsync("**/releases/notifications/*");
        Assert.Equal("Release notified: referral sent", (await page.InnerTextAsync("h1")).Trim());
        var outcome = await page.MainTextAsync();
        Assert.Contains("A referral was sent to S2S Substance to Solution (CGL) - North Northamptonshire.", outcome);
        Assert.Contains("Sent, not yet accepted", outcome);
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("notify-outcome");

        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(PrisonBrowserHub.ProviderOds, (await db.Referrals.SingleAsync(r => r.EpisodeId == episode.Id)).ProviderOds);
        Assert.Equal(60m, episode.OstDailyDoseMg);
        var notification = await db.ReleaseNotifications.SingleAsync(n => n.EpisodeId == episode.Id);
        Assert.Equal("dev:Kay Keyboard", notification.SubmittedBy);
        Assert.Contains(urls, url => url.Contains("/releases/notify/"));
        foreach (var personal in new[] { noms, "Morgan", "Keyboard", "1985", "NN17", "9434765919", "943%20476" })
            Assert.DoesNotContain(urls, url => url.Contains(personal, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_step_with_problems_shows_the_validators_messages_in_an_error_summary_and_keeps_nothing()
    {
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI");
        await page.GotoAsync("/releases/notify");
        await page.ClickAsync("main button.govuk-button--start");
        await page.WaitForURLAsync("**/person");
        var person = page.Url;

        await page.FillAsync("#nomsNumber", "12345");
        await page.FillAsync("#nhsNumber", "9434765918");
        await page.FillAsync("#dateOfBirth-day", "31");
        await page.FillAsync("#dateOfBirth-month", "2");
        await page.FillAsync("#dateOfBirth-year", "1985");
        await page.ClickAsync("main button:has-text('Continue')");

        Assert.StartsWith("Error: ", await page.TitleAsync());
        var summary = await page.InnerTextAsync(".govuk-error-summary");
        Assert.Contains("NOMS number must be a NOMS number: a letter, 4 digits and 2 letters (e.g. A1234BC).", summary);
        Assert.Contains("Given name is required.", summary);
        Assert.Contains("Family name is required.", summary);
        Assert.Contains("Date of birth must be a real date, for example 27 3 2007.", summary);
        Assert.Contains("NHS number must be a 10-digit NHS number with a valid Modulus 11 check digit.", summary);
        Assert.Contains("Given name is required.", await page.InnerTextAsync("#givenName-error"));
        Assert.Equal("12345", await page.InputValueAsync("#nomsNumber"));   // what was typed comes back
        await page.ClickAsync(".govuk-error-summary a[href='#nomsNumber']");
        Assert.Equal("nomsNumber", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("notify-person-errors");

        // Nothing was kept: the step shows empty again.
        await page.GotoAsync(person);
        Assert.Equal("", await page.InputValueAsync("#nomsNumber"));
    }

    [Fact]
    public async Task With_JavaScript_off_every_conditional_question_shows_and_a_release_without_consent_is_tracked_but_not_referred()
    {
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI", javaScript: false);
        var noms = Notifications.NewNomsNumber();
        await page.GotoAsync("/releases/notify");
        await page.ClickAsync("main button.govuk-button--start");

        await page.FillAsync("#nomsNumber", noms);
        await page.FillAsync("#givenName", "Nico");
        await page.FillAsync("#familyName", "Noscript");
        await page.FillAsync("#dateOfBirth-day", "2");
        await page.FillAsync("#dateOfBirth-month", "7");
        await page.FillAsync("#dateOfBirth-year", "1990");
        await page.ClickAsync("main button:has-text('Continue')");

        Assert.True(await page.IsVisibleAsync("#postcode"));       // every conditional field is shown without JavaScript
        await page.FillAsync("#releaseDate-day", "4");
        await page.FillAsync("#releaseDate-month", "12");
        await page.FillAsync("#releaseDate-year", "2026");
        await page.CheckAsync("#status");
        await page.CheckAsync("#destination-2");                    // no fixed abode…
        await page.FillAsync("#postcode", "NN1 1AA");               // …so this answer to the other choice is dropped
        await page.SelectOptionAsync("#localAuthorityCode", "E06000062");
        await page.ClickAsync("main button:has-text('Continue')");

        Assert.True(await page.IsVisibleAsync("#ostDailyDoseMg"));
        await page.CheckAsync("#substances-10");                    // alcohol
        await page.CheckAsync("#onOst-2");
        await page.FillAsync("#ostDailyDoseMg", "40");              // answered "no": not kept
        await page.ClickAsync("main button:has-text('Continue')");

        await page.CheckAsync("#consentToShare-2");
        await page.ClickAsync("main button:has-text('Continue')");

        Assert.Contains("No fixed abode", await page.InnerTextAsync("#destination"));
        Assert.Contains("West Northamptonshire", await page.InnerTextAsync("#localAuthorityCode"));
        Assert.Equal(0, await page.Locator("#ostDailyDoseMg").CountAsync());
        await page.ClickAsync("main button#send");

        Assert.Equal("Release notified", (await page.InnerTextAsync("h1")).Trim());
        Assert.Contains("No referral was made: the person did not consent to share.", await page.MainTextAsync());
        // axe runs as a script in the page, so the same page is checked in a browser with JavaScript on.
        var withScript = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI");
        await withScript.GotoAsync(page.Url);
        await withScript.AssertAccessibleAsync();
        await withScript.SaveScreenshotAsync("notify-outcome-no-referral");

        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.True(episode.NoFixedAbode);
        Assert.Null(episode.DestinationPostcode);
        Assert.Null(episode.OstDailyDoseMg);
        Assert.False(await db.Referrals.AnyAsync(r => r.EpisodeId == episode.Id));
    }

    [Fact]
    public async Task Sending_the_same_form_twice_makes_one_notification()
    {
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI", javaScript: false);
        var noms = Notifications.NewNomsNumber();
        await FillValidFormAsync(page, noms);
        var check = page.Url;
        var token = await page.InputValueAsync("main form input[name=__RequestVerificationToken]");

        await page.ClickAsync("main button#send");
        var outcome = page.Url;
        // The same form posted again (a second click that arrives after the first was answered).
        var again = await page.Context.APIRequest.PostAsync(check, new()
        {
            Form = page.Context.APIRequest.CreateFormData().Set("__RequestVerificationToken", token),
            MaxRedirects = 0,
        });

        Assert.Equal(302, again.Status);
        Assert.Equal(new Uri(outcome).AbsolutePath, again.Headers["location"]);
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(1, await db.ReleaseNotifications.CountAsync(n => n.EpisodeId == episode.Id));
        // And the check page itself now leads to the outcome.
        await page.GotoAsync(check);
        Assert.Equal(outcome, page.Url);
    }

    [Fact]
    public async Task Check_your_answers_shows_a_refusal_from_the_pipeline_on_the_prison_row_and_sends_nothing()
    {
        // The same person's scope changed while the form was open: sending refuses the prison as the API would.
        var page = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "ONI", name: "Sam Scope");
        var noms = Notifications.NewNomsNumber();
        await FillValidFormAsync(page, noms);
        var check = page.Url;
        var other = await hub.SignedInPageAsync(HubRoles.PrisonHealthcare, prisons: "WDI", name: "Sam Scope");
        await other.GotoAsync(check);

        await other.ClickAsync("main button#send");

        Assert.StartsWith("Error: ", await other.TitleAsync());
        Assert.Contains("Prison ONI is outside your token's prisons scope.", await other.InnerTextAsync(".govuk-error-summary"));
        Assert.Contains("Prison ONI is outside", await other.InnerTextAsync("#prisonCode"));
        await other.AssertAccessibleAsync();
        await other.SaveScreenshotAsync("notify-check-answers-errors");
        await using var db = hub.Db();
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
    }

    /// <summary>Fills every step with a valid release from ONI and stops on check-your-answers.</summary>
    internal static async Task FillValidFormAsync(IPage page, string noms, string given = "Dana", string family = "Double")
    {
        await page.GotoAsync("/releases/notify");
        await page.ClickAsync("main button.govuk-button--start");
        await page.FillAsync("#nomsNumber", noms);
        await page.FillAsync("#givenName", given);
        await page.FillAsync("#familyName", family);
        await page.FillAsync("#dateOfBirth-day", "9");
        await page.FillAsync("#dateOfBirth-month", "9");
        await page.FillAsync("#dateOfBirth-year", "1988");
        await page.ClickAsync("main button:has-text('Continue')");
        await page.FillAsync("#releaseDate-day", "2");
        await page.FillAsync("#releaseDate-month", "12");
        await page.FillAsync("#releaseDate-year", "2026");
        await page.CheckAsync("#status");
        await page.CheckAsync("#destination");
        await page.FillAsync("#postcode", "NN17 1AA");
        await page.ClickAsync("main button:has-text('Continue')");
        await page.CheckAsync("#substances");
        await page.ClickAsync("main button:has-text('Continue')");
        await page.CheckAsync("#consentToShare");
        await page.ClickAsync("main button:has-text('Continue')");
        await page.WaitForURLAsync("**/check");
    }
}

/// <summary>Driving a page with the keyboard alone: Tab to reach, Space and arrows to choose, typing to fill.</summary>
internal static class Keys
{
    /// <summary>Presses Tab until the focused element matches <paramref name="selector"/>; fails when it is not reachable.</summary>
    public static async Task TabToAsync(IPage page, string selector, int maxPresses = 80)
    {
        for (var i = 0; i < maxPresses; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement !== null && document.activeElement.matches(s)", selector)) return;
        }
        Assert.Fail($"{selector} cannot be reached with the Tab key on {page.Url}");
    }

    public static async Task TypeIntoAsync(IPage page, string selector, string text)
    {
        await TabToAsync(page, selector);
        await page.Keyboard.TypeAsync(text);
    }

    /// <summary>Tabs into a radio group with nothing chosen yet (focus lands on its first radio) and chooses the radio at <paramref name="index"/>.</summary>
    public static async Task ChooseAsync(IPage page, string groupId, int index)
    {
        await TabToAsync(page, $"#{groupId}");
        if (index == 0) await page.Keyboard.PressAsync("Space");
        for (var i = 0; i < index; i++) await page.Keyboard.PressAsync("ArrowDown");
    }

    public static async Task ContinueAsync(IPage page)
    {
        await TabToAsync(page, "main button.govuk-button");
        await page.Keyboard.PressAsync("Enter");
    }
}
