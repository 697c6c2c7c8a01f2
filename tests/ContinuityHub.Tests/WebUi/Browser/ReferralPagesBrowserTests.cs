using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Features.Referrals;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// Issue #11 item 2 in a real browser: the community treatment provider's referral inbox, the referral page and
/// its actions (through the same <see cref="ReferralActions"/> as the API), refused access across providers and
/// without consent, axe on every page state, keyboard-only forms. The test clock is 22 November 2026.
/// </summary>
public sealed class ReferralPagesBrowserTests(ReferralPagesBrowserTests.Referrals hub) : IClassFixture<ReferralPagesBrowserTests.Referrals>
{
    private const string North = "EXS2SN";   // covers NN17 (North Northamptonshire)
    private const string West = "EXS2SW";    // covers NN1 (West Northamptonshire)

    public sealed class Referrals : BrowserHub
    {
        public Guid NineDaysLeft, TwoDaysLeft, AcceptedFourDaysLeft, ToAccept, ToReject, ToBook, ToEngage, ByKeyboard, WestOnly, ConsentWithdrawn;

        protected override async Task SeedAsync()
        {
            NineDaysLeft = await ReleaseAsync("Nina", "2026-11-10");
            TwoDaysLeft = await ReleaseAsync("Tom", "2026-11-03");
            AcceptedFourDaysLeft = await ReleaseAsync("Ada", "2026-11-05");
            var accepted = await ClientFor(HubRoles.TreatmentProvider, ods: North).PostAsync($"/api/v1/referrals/{AcceptedFourDaysLeft}/accept", null);
            accepted.EnsureSuccessStatusCode();
            ToAccept = await ReleaseAsync("Alex", "2026-11-15");
            ToReject = await ReleaseAsync("Robin", "2026-11-16");
            ToBook = await ReleaseAsync("Bea", "2026-11-17");
            ToEngage = await ReleaseAsync("Eli", "2026-11-12");
            ByKeyboard = await ReleaseAsync("Kit", "2026-11-13");
            WestOnly = await ReleaseAsync("Wes", "2026-11-14", postcode: "NN1 1AA");
            // Consent withdrawn by a later notification about the same release: the referral is cancelled and no
            // longer the provider's to see.
            var noms = Notifications.NewNomsNumber();
            ConsentWithdrawn = await ReleaseAsync("Cory", "2026-11-11", noms: noms);
            var withdrawn = Notification("Cory", "2026-11-11", "NN17 1AA", noms);
            withdrawn["treatmentNeed"]!["consentToShare"] = false;
            (await PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", withdrawn)).EnsureSuccessStatusCode();
            // A full second page for West.
            for (var i = 0; i < 51; i++) await ReleaseAsync($"West{i:D2}", "2026-11-20", postcode: "NN1 1AA");
        }

        private async Task<Guid> ReleaseAsync(string givenName, string releaseDate, string postcode = "NN17 1AA", string? noms = null) =>
            (await this.SubmitReleaseAsync(Notification(givenName, releaseDate, postcode, noms ?? Notifications.NewNomsNumber()))).ReferralId;

        private static JsonObject Notification(string givenName, string releaseDate, string postcode, string noms)
        {
            var notification = Notifications.Example(nomsNumber: noms, releaseDate: releaseDate, status: "released", postcode: postcode);
            notification["person"]!["givenName"] = givenName;
            notification["treatmentNeed"]!["ost"]!["lastDoseDate"] = releaseDate;
            return notification;
        }
    }

    private Task<IPage> ProviderAsync(string ods = North, bool javaScript = true) =>
        hub.SignedInPageAsync(HubRoles.TreatmentProvider, ods: ods, name: "Pat Provider", javaScript: javaScript);

    private async Task<string> StatusOf(Guid referralId)
    {
        await using var db = hub.Db();
        return await db.Referrals.Where(r => r.Id == referralId).Select(r => r.TaskStatus).SingleAsync();
    }

    [Fact]
    public async Task The_inbox_lists_new_referrals_first_by_days_left_with_at_risk_tags_and_only_the_providers_own()
    {
        var page = await ProviderAsync();

        Assert.Equal(hub.BaseUrl + "/referrals", page.Url);
        var rows = await page.Locator("tbody tr").AllInnerTextsAsync();
        int Row(string name) => rows.ToList().FindIndex(r => r.Contains(name + " Example"));
        Assert.True(Row("Tom") >= 0 && Row("Nina") >= 0 && Row("Ada") >= 0);
        Assert.True(Row("Tom") < Row("Nina"), "new referrals by days left: Tom (2 days) before Nina (9 days)");
        Assert.True(Row("Nina") < Row("Ada"), "new referrals before accepted ones");
        Assert.Contains("2 days left", rows[Row("Tom")]);
        Assert.Contains("At risk", rows[Row("Tom")]);
        Assert.Contains("At risk", rows[Row("Ada")]);
        Assert.DoesNotContain("At risk", rows[Row("Nina")]);
        Assert.Contains("9 days left", rows[Row("Nina")]);
        Assert.Equal(-1, Row("Wes"));
        Assert.Equal(-1, Row("Cory"));
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("referrals-inbox");
    }

    [Fact]
    public async Task The_filters_are_non_personal_query_values_and_a_bad_one_is_named_in_an_error_summary()
    {
        var page = await ProviderAsync();

        await page.SelectOptionAsync("#daysLeft", InboxFilter.AtMost7);
        await page.ClickAsync("button:has-text('Apply filters')");
        Assert.Equal(hub.BaseUrl + "/referrals?state=open&prison=&daysLeft=0-7", page.Url);
        var rows = string.Join("\n", await page.Locator("tbody tr").AllInnerTextsAsync());
        Assert.Contains("Tom Example", rows);
        Assert.Contains("Ada Example", rows);
        Assert.DoesNotContain("Nina Example", rows);

        await page.SelectOptionAsync("#state", TaskStatuses.Rejected);
        await page.SelectOptionAsync("#prison", "WDI");
        await page.ClickAsync("button:has-text('Apply filters')");
        Assert.Contains("No referrals match these filters.", await page.MainTextAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("referrals-inbox-no-match");

        var bad = await page.GotoAsync("/referrals?state=lost&daysLeft=99");
        Assert.Equal(400, bad!.Status);
        var summary = await page.InnerTextAsync(".govuk-error-summary");
        Assert.Contains("Choose a state from the list.", summary);
        Assert.Contains("Choose how many days are left from the list.", summary);
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task A_provider_with_no_referrals_sees_an_empty_inbox()
    {
        var page = await ProviderAsync(ods: "EXS9ZZ");

        Assert.Contains("No referrals match these filters.", await page.MainTextAsync());
        Assert.Equal(0, await page.Locator("tbody tr").CountAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("referrals-inbox-empty");
    }

    [Fact]
    public async Task The_inbox_is_paged_fifty_at_a_time()
    {
        var page = await ProviderAsync(ods: West);

        Assert.Equal(50, await page.Locator("tbody tr").CountAsync());
        Assert.Contains("52 referrals, showing 1 to 50", await page.InnerTextAsync("caption"));
        await page.ClickAsync(".govuk-pagination__next a");
        Assert.Equal(hub.BaseUrl + "/referrals?page=2", page.Url);
        Assert.Equal(2, await page.Locator("tbody tr").CountAsync());
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task The_referral_page_shows_the_person_release_need_contacts_and_history_and_the_read_is_audited()
    {
        var page = await ProviderAsync();

        await page.ClickAsync("a:has-text('Nina Example')");

        Assert.Equal($"{hub.BaseUrl}/referrals/{hub.NineDaysLeft}", page.Url);
        var main = await page.MainTextAsync();
        foreach (var expected in new[] { "Nina Example", "14 March 1985", "9434765919", "X123456", "HMP Onley", "10 November 2026 (confirmed)",
                     "1 December 2026", "NN17 1AA", "North Northamptonshire", "opiates, crack", "methadone, 60 mg a day", "Bridging prescription",
                     "healthcare.oni@example.nhs.uk", "Jo Smith", "jo.smith@example.justice.gov.uk", "9 days left", "Release notification received", "Referral sent" })
            Assert.Contains(expected, main);
        await using (var db = hub.Db())
            Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "referral.read" && a.ResourceId == hub.NineDaysLeft.ToString() && a.ActorSubject == "dev:Pat Provider"));
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("referral");
    }

    [Fact]
    public async Task Accepting_goes_through_the_state_machine_and_shows_in_the_history()
    {
        var page = await ProviderAsync();
        await page.GotoAsync($"/referrals/{hub.ToAccept}");

        await page.ClickAsync("button:has-text('Accept referral')");

        Assert.Equal($"{hub.BaseUrl}/referrals/{hub.ToAccept}?done=accepted", page.Url);
        Assert.Contains("Referral accepted", await page.InnerTextAsync(".govuk-notification-banner"));
        Assert.Contains("by Pat Provider", await page.InnerTextAsync(".moj-timeline"));
        Assert.Equal(TaskStatuses.Accepted, await StatusOf(hub.ToAccept));
        Assert.Equal(0, await page.Locator("button:has-text('Accept referral')").CountAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("referral-accepted");
    }

    [Fact]
    public async Task Rejecting_needs_a_reason_and_writes_nothing_without_one()
    {
        var page = await ProviderAsync();
        await page.GotoAsync($"/referrals/{hub.ToReject}");
        await page.ClickAsync("a:has-text('Reject referral')");

        await page.ClickAsync("button:has-text('Reject referral')");

        Assert.StartsWith("Error: ", await page.TitleAsync());
        Assert.Contains("Enter why you are rejecting the referral", await page.InnerTextAsync(".govuk-error-summary"));
        Assert.Contains("Enter why you are rejecting the referral", await page.InnerTextAsync("#reason-error"));
        Assert.Equal(TaskStatuses.Requested, await StatusOf(hub.ToReject));
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("referral-reject-error");

        await page.FillAsync("#reason", "Lives outside our area since release");
        await page.ClickAsync("button:has-text('Reject referral')");

        Assert.Contains("Referral rejected", await page.InnerTextAsync(".govuk-notification-banner"));
        Assert.Contains("Lives outside our area since release", await page.MainTextAsync());
        Assert.Equal(TaskStatuses.Rejected, await StatusOf(hub.ToReject));
    }

    [Fact]
    public async Task Booking_the_first_appointment_names_a_missing_or_early_date_and_then_saves_it()
    {
        var page = await ProviderAsync();
        await page.GotoAsync($"/referrals/{hub.ToBook}/appointment");

        await page.FillAsync("#date-day", "31");
        await page.FillAsync("#date-month", "2");
        await page.ClickAsync("button:has-text('Save appointment')");
        Assert.Contains("The date of the first appointment must include a year", await page.InnerTextAsync(".govuk-error-summary"));

        await page.FillAsync("#date-year", "2026");
        await page.ClickAsync("button:has-text('Save appointment')");
        Assert.Contains("The date of the first appointment must be a real date", await page.InnerTextAsync("#date-error"));

        await page.FillAsync("#date-day", "1");
        await page.FillAsync("#date-month", "11");
        await page.ClickAsync("button:has-text('Save appointment')");
        Assert.Contains("The date of the first appointment is before the release date", await page.InnerTextAsync(".govuk-error-summary"));
        await using (var db = hub.Db()) Assert.Null(await db.Referrals.Where(r => r.Id == hub.ToBook).Select(r => r.AppointmentDate).SingleAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("referral-appointment-error");

        await page.FillAsync("#date-day", "25");
        await page.ClickAsync("button:has-text('Save appointment')");

        Assert.Contains("First appointment recorded", await page.InnerTextAsync(".govuk-notification-banner"));
        Assert.Contains("25 November 2026", await page.MainTextAsync());
        await using (var db = hub.Db()) Assert.Equal(new DateOnly(2026, 11, 25), await db.Referrals.Where(r => r.Id == hub.ToBook).Select(r => r.AppointmentDate).SingleAsync());
    }

    [Fact]
    public async Task Recording_engagement_refuses_a_future_date_or_one_before_release_then_records_it()
    {
        var page = await ProviderAsync();
        await page.GotoAsync($"/referrals/{hub.ToEngage}/engagement");
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("referral-engagement");

        async Task SubmitAsync(string day, string month, string year)
        {
            await page.FillAsync("#date-day", day);
            await page.FillAsync("#date-month", month);
            await page.FillAsync("#date-year", year);
            await page.ClickAsync("button:has-text('Record engagement')");
        }

        await SubmitAsync("23", "11", "2026");
        Assert.Contains("The date they first attended is in the future", await page.InnerTextAsync(".govuk-error-summary"));
        await SubmitAsync("11", "11", "2026");
        Assert.Contains("The date they first attended is before the release date", await page.InnerTextAsync("#date-error"));
        await using (var db = hub.Db()) Assert.Null(await db.Referrals.Where(r => r.Id == hub.ToEngage).Select(r => r.Episode!.EngagedOn).SingleAsync());
        await page.AssertAccessibleAsync();

        await SubmitAsync("20", "11", "2026");

        Assert.Contains("Engagement recorded", await page.InnerTextAsync(".govuk-notification-banner"));
        Assert.Contains("First attended on 20 November 2026", await page.InnerTextAsync(".moj-timeline"));
        Assert.Equal(TaskStatuses.InProgress, await StatusOf(hub.ToEngage));
    }

    [Fact]
    public async Task Accepting_and_recording_engagement_work_with_the_keyboard_alone_and_without_JavaScript()
    {
        var page = await ProviderAsync(javaScript: false);
        await page.GotoAsync($"/referrals/{hub.ByKeyboard}");

        // Tab from the top of the page to the accept button, as a keyboard user would.
        await TabToAsync(page, "Accept referral");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/referrals/{hub.ByKeyboard}?done=accepted");
        Assert.Equal(TaskStatuses.Accepted, await StatusOf(hub.ByKeyboard));

        await TabToAsync(page, "Record engagement");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/referrals/{hub.ByKeyboard}/engagement");
        await TabToAsync(page, "", id: "date-day");
        await page.Keyboard.TypeAsync("21");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("11");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("2026");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Record engagement", (await page.EvaluateAsync<string>("document.activeElement.textContent")).Trim());
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForURLAsync($"**/referrals/{hub.ByKeyboard}?done=engagement");
        Assert.Equal(TaskStatuses.InProgress, await StatusOf(hub.ByKeyboard));
    }

    /// <summary>Presses Tab until the focused element has <paramref name="text"/> (or <paramref name="id"/>).</summary>
    private static async Task TabToAsync(IPage page, string text, string? id = null)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await page.EvaluateAsync<string[]>("[document.activeElement.id, (document.activeElement.textContent || '').trim()]");
            if (id is not null ? focused[0] == id : focused[1] == text) return;
        }
        Assert.Fail($"Tab never reached '{id ?? text}'.");
    }

    [Fact]
    public async Task Another_providers_referral_is_refused_with_the_403_page_showing_nothing_and_cannot_be_acted_on()
    {
        var page = await ProviderAsync(ods: West);

        var response = await page.GotoAsync($"/referrals/{hub.NineDaysLeft}");

        Assert.Equal(403, response!.Status);
        Assert.Equal("You do not have access to this page", (await page.InnerTextAsync("h1")).Trim());
        var main = await page.MainTextAsync();
        Assert.DoesNotContain("Nina", main);
        Assert.DoesNotContain("9434765919", main);
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("referral-forbidden");

        // A forged accept (with West's own anti-forgery token) is refused too, and nothing changes.
        await page.GotoAsync($"/referrals/{hub.WestOnly}");
        var token = await page.GetAttributeAsync("input[name=__RequestVerificationToken]", "value");
        var post = await page.APIRequest.PostAsync($"/referrals/{hub.NineDaysLeft}?handler=Accept",
            new() { Form = page.Context.APIRequest.CreateFormData().Set("__RequestVerificationToken", token!) });
        Assert.Equal(403, post.Status);
        Assert.Equal(TaskStatuses.Requested, await StatusOf(hub.NineDaysLeft));
        foreach (var path in new[] { "reject", "appointment", "engagement" })
            Assert.Equal(403, (await page.GotoAsync($"/referrals/{hub.NineDaysLeft}/{path}"))!.Status);
    }

    [Fact]
    public async Task A_referral_whose_consent_was_withdrawn_is_not_shown_to_its_provider()
    {
        var page = await ProviderAsync();

        var response = await page.GotoAsync($"/referrals/{hub.ConsentWithdrawn}");

        Assert.Equal(403, response!.Status);
        Assert.DoesNotContain("Cory", await page.MainTextAsync());
        await page.GotoAsync("/referrals?state=any");
        Assert.DoesNotContain("Cory", await page.MainTextAsync());
    }

    [Fact]
    public async Task Other_roles_are_refused_the_referral_pages()
    {
        var page = await hub.SignedInPageAsync(HubRoles.Probation, pdu: "*");

        Assert.Equal(403, (await page.GotoAsync("/referrals"))!.Status);
        Assert.Equal(403, (await page.GotoAsync($"/referrals/{hub.NineDaysLeft}"))!.Status);
        Assert.DoesNotContain("Nina", await page.MainTextAsync());
    }
}
