using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.Reports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ContinuityHub.Tests.WebUi.Browser;

/// <summary>
/// Issue #11 item 3 in a real browser: the probation caseload (empty and full, filters, at-risk first, find a
/// person by a POST that lands on an id), the person page, the exclusion form (errors, success, keyboard only),
/// refusal outside the delivery units, axe on every state, screenshots; and a death recorded by probation
/// showing as an exclusion on the commissioner's dashboard. The hub's clock is 2026-11-22.
/// </summary>
public sealed class ProbationBrowserTests(ProbationBrowserTests.Hub hub) : IClassFixture<ProbationBrowserTests.Hub>
{
    public const string Pdu = "PBT1", OtherPdu = "PBT2", EmptyPdu = "PBT0";

    public sealed class Hub : BrowserHub
    {
        public Person AtRisk { get; private set; } = null!;
        public Person Engaged { get; private set; } = null!;
        public Person Closed { get; private set; } = null!;
        public Person Elsewhere { get; private set; } = null!;

        protected override async Task SeedAsync()
        {
            AtRisk = await ReleaseAsync("2026-11-12", Pdu, "Robin", "Atkins");
            Engaged = await ReleaseAsync("2026-11-05", Pdu, "Casey", "Engel");
            await MeasureScenarios.EngageAsync(this, new(Engaged.ReferralId, Engaged.EpisodeId, Engaged.Noms), "2026-11-09");
            Closed = await ReleaseAsync("2026-10-01", Pdu, "Jordan", "Closs");
            Elsewhere = await ReleaseAsync("2026-11-10", OtherPdu, "Morgan", "Other");
        }

        public async Task<Person> ReleaseAsync(string releaseDate, string pdu, string given, string family)
        {
            var notification = Notifications.Example(releaseDate: releaseDate, status: "released");
            notification["person"]!["givenName"] = given;
            notification["person"]!["familyName"] = family;
            notification["person"]!["crn"] = $"P{Random.Shared.Next(0, 999_999):D6}";
            notification["contacts"]!["probationPractitioner"]!["pduCode"] = pdu;
            notification["treatmentNeed"]!["ost"]!["lastDoseDate"] = releaseDate;
            var (referralId, episodeId) = await this.SubmitReleaseAsync(notification);
            await using var db = Db();
            var personId = await db.Episodes.Where(e => e.Id == episodeId).Select(e => e.PersonId).SingleAsync();
            return new Person(personId, episodeId, referralId, (string)notification["person"]!["nomsNumber"]!, (string)notification["person"]!["crn"]!, $"{given} {family}");
        }
    }

    public sealed record Person(Guid Id, Guid EpisodeId, Guid ReferralId, string Noms, string Crn, string Name);

    private Task<IPage> ProbationAsync(string pdu = Pdu, bool javaScript = true) => hub.SignedInPageAsync(HubRoles.Probation, pdu: pdu, javaScript: javaScript);

    [Fact]
    public async Task An_empty_caseload_says_so()
    {
        var page = await ProbationAsync(EmptyPdu);

        Assert.Equal(hub.BaseUrl + "/caseload", page.Url);
        Assert.Contains("No releases to your delivery units", await page.MainTextAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("probation-caseload-empty");
    }

    [Fact]
    public async Task The_caseload_lists_the_units_releases_at_risk_first_and_filters_them()
    {
        var page = await ProbationAsync();

        var rows = await page.Locator("#caseload tbody tr").AllInnerTextsAsync();
        Assert.Contains(hub.AtRisk.Name, rows[0]);
        Assert.Contains("At risk", rows[0]);
        Assert.Contains(rows, r => r.Contains(hub.Engaged.Name) && r.Contains("Engaged 9 November 2026"));
        Assert.Contains(rows, r => r.Contains(hub.Closed.Name) && r.Contains("Not engaged"));
        Assert.DoesNotContain(rows, r => r.Contains(hub.Elsewhere.Name));
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("probation-caseload");

        await page.ClickAsync("nav[aria-label='Filter the caseload'] a:has-text('Engaged')");
        Assert.EndsWith("/caseload?status=engaged", page.Url);
        var engaged = await page.Locator("#caseload tbody tr").AllInnerTextsAsync();
        Assert.Contains(hub.Engaged.Name, Assert.Single(engaged));
        await page.AssertAccessibleAsync();

        await using var db = hub.Db();
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "caseload.read" && a.ResourceId == hub.Engaged.EpisodeId.ToString()));
    }

    [Fact]
    public async Task Finding_a_person_posts_and_lands_on_their_page_by_id_which_shows_every_release_and_is_audited()
    {
        var page = await ProbationAsync();

        await page.FillAsync("#identifier", hub.AtRisk.Noms);
        await page.ClickAsync("button:has-text('Find')");

        Assert.Equal(hub.BaseUrl + $"/caseload/people/{hub.AtRisk.Id}", page.Url);
        Assert.DoesNotContain(hub.AtRisk.Noms, page.Url);
        var main = await page.MainTextAsync();
        Assert.Contains(hub.AtRisk.Name, main);
        Assert.Contains("Release on 12 November 2026", main);
        Assert.Contains("At risk", main);
        Assert.Contains("Sent, not yet accepted", main);
        Assert.Contains("S2S Substance to Solution (CGL) - North Northamptonshire", main);
        Assert.Contains("Window closes (end of day 21)", main);
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("probation-person");
        await using var db = hub.Db();
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "person.episodes.read" && a.ResourceId == hub.AtRisk.EpisodeId.ToString()));

        await page.GotoAsync("/caseload");
        await page.FillAsync("#identifier", hub.Elsewhere.Crn);
        await page.ClickAsync("button:has-text('Find')");
        Assert.Contains("No one with this NOMS number or CRN has a release in your delivery units", await page.InnerTextAsync(".govuk-error-summary"));
        Assert.DoesNotContain(hub.Elsewhere.Name, await page.MainTextAsync());
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("probation-find-error");
    }

    [Fact]
    public async Task The_exclusion_form_names_every_problem_writes_nothing_then_records_the_exclusion()
    {
        var person = await hub.ReleaseAsync("2026-11-14", Pdu, "Sam", "Formby");
        var page = await ProbationAsync();
        await page.GotoAsync($"/caseload/people/{person.Id}");
        await page.ClickAsync("a:has-text('Record an exclusion')");
        Assert.EndsWith($"/caseload/episodes/{person.EpisodeId}/exclusion", page.Url);
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("probation-exclusion");

        await page.ClickAsync("button:has-text('Record exclusion')");
        var summary = await page.InnerTextAsync(".govuk-error-summary");
        Assert.Contains("Select what happened", summary);
        Assert.Contains("Enter the date it happened", summary);
        Assert.StartsWith("Error: ", await page.TitleAsync());
        await page.AssertAccessibleAsync();

        await page.CheckAsync("#reason-hospital");
        await page.FillDateAsync("date", 10, 11, 2026);
        await page.ClickAsync("button:has-text('Record exclusion')");
        Assert.Contains("The date is before the release date", await page.InnerTextAsync(".govuk-error-summary"));
        Assert.True(await page.IsCheckedAsync("#reason-hospital"));
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("probation-exclusion-errors");
        await using (var db = hub.Db())
            Assert.Equal("open", (await db.Episodes.SingleAsync(e => e.Id == person.EpisodeId)).Status);

        await page.FillAsync("#date-day", "16");
        await page.ClickAsync("button:has-text('Record exclusion')");

        Assert.StartsWith(hub.BaseUrl + $"/caseload/people/{person.Id}?recorded=excluded", page.Url);
        var main = await page.MainTextAsync();
        Assert.Contains("Exclusion recorded", main);
        Assert.Contains("In hospital, 16 November 2026", main);
        Assert.Contains("Cancelled (excluded)", main);
        await page.AssertAccessibleAsync();
        await page.SaveScreenshotAsync("probation-exclusion-recorded");
        await using (var db = hub.Db())
        {
            var episode = await db.Episodes.SingleAsync(e => e.Id == person.EpisodeId);
            Assert.Equal(("excluded", "hospital", new DateOnly(2026, 11, 16)), (episode.Status, episode.ExclusionReason, episode.ExclusionDate));
        }
    }

    /// <summary>
    /// With JavaScript off the form posts and the answer redirects as with it on. (This test used to hang: not the page,
    /// but axe, whose run waits on timers that never fire in a page without JavaScript; PageChecks now checks a
    /// script-free copy of the page in a browser with JavaScript on.)
    /// </summary>
    [Fact]
    public async Task Finding_a_person_works_with_JavaScript_off()
    {
        var page = await ProbationAsync(javaScript: false);
        await page.AssertAccessibleAsync();

        await page.FillAsync("#identifier", "nonsense");
        await page.ClickAsync("button:has-text('Find')");
        Assert.Contains("Enter a NOMS number like A1234BC or a CRN like X123456", await page.InnerTextAsync(".govuk-error-summary"));
        await page.AssertAccessibleAsync();

        await page.FillAsync("#identifier", hub.Engaged.Crn);
        await page.ClickAsync("button:has-text('Find')");
        Assert.Equal(hub.BaseUrl + $"/caseload/people/{hub.Engaged.Id}", page.Url);
        Assert.Contains(hub.Engaged.Name, await page.MainTextAsync());
        Assert.Contains("Engaged 9 November 2026", await page.MainTextAsync());
        await page.AssertAccessibleAsync();
    }

    [Fact]
    public async Task The_exclusion_form_can_be_completed_with_the_keyboard_only()
    {
        var person = await hub.ReleaseAsync("2026-11-15", Pdu, "Kit", "Keys");
        var page = await ProbationAsync();
        await page.GotoAsync($"/caseload/episodes/{person.EpisodeId}/exclusion");

        // From the top: tab until the first radio has focus, choose it and move to "Returned to custody" with the arrow key.
        await TabToAsync(page, "reason");
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("date-day", await FocusedIdAsync(page));
        await page.Keyboard.TypeAsync("17");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("11");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("2026");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Record exclusion", (await page.EvaluateAsync<string>("document.activeElement.textContent")).Trim());
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync($"**/caseload/people/{person.Id}?recorded=excluded*");

        Assert.Contains("Returned to custody, 17 November 2026", await page.MainTextAsync());
    }

    [Fact]
    public async Task Another_delivery_units_person_and_exclusion_form_are_refused_and_show_nothing()
    {
        var page = await ProbationAsync(OtherPdu);

        foreach (var path in new[] { $"/caseload/people/{hub.AtRisk.Id}", $"/caseload/episodes/{hub.AtRisk.EpisodeId}/exclusion" })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(403, response!.Status);
            Assert.Equal("You do not have access to this page", (await page.InnerTextAsync("h1")).Trim());
            Assert.DoesNotContain(hub.AtRisk.Name, await page.ContentAsync());
            Assert.DoesNotContain(hub.AtRisk.Noms, await page.ContentAsync());
        }
        await page.AssertAccessibleAsync();
        Assert.Equal(403, (await page.GotoAsync($"/caseload?pdu={Pdu}"))!.Status);
        Assert.Equal(404, (await page.GotoAsync($"/caseload/people/{Guid.NewGuid()}"))!.Status);

        // The provider's role has no caseload at all.
        var provider = await hub.SignedInPageAsync(HubRoles.TreatmentProvider, ods: MeasureScenarios.NorthProvider);
        Assert.Equal(403, (await provider.GotoAsync($"/caseload/people/{hub.AtRisk.Id}"))!.Status);
    }

    [Fact]
    public async Task A_death_recorded_by_probation_shows_on_the_commissioners_dashboard_as_an_exclusion()
    {
        var person = await hub.ReleaseAsync("2026-09-08", Pdu, "Alex", "Dale");
        var commissioner = await hub.SignedInPageAsync(HubRoles.Commissioner);
        const string period = "/dashboard?from=2026-09-08&to=2026-09-08";
        await commissioner.GotoAsync(period);
        Assert.Equal("0", await ExcludedCountAsync(commissioner));

        var page = await ProbationAsync();
        await page.GotoAsync($"/caseload/episodes/{person.EpisodeId}/exclusion");
        await page.CheckAsync("#reason");
        await page.FillDateAsync("date", 12, 9, 2026);
        await page.ClickAsync("button:has-text('Record exclusion')");
        Assert.Contains("Died, 12 September 2026", await page.MainTextAsync());

        await commissioner.GotoAsync(period);
        Assert.Equal("1", await ExcludedCountAsync(commissioner));
        await commissioner.AssertAccessibleAsync();
        var report = await hub.ReportAsync("2026-09-08", "2026-09-08", "2026-11-22");
        Assert.Equal(1, report.GetProperty("exclusions").GetProperty("died").GetInt32());
    }

    private static async Task<string> ExcludedCountAsync(IPage page) =>
        (await page.Locator("tr:has(th:text-is('Excluded')) td").First.InnerTextAsync()).Trim();

    private static Task<string> FocusedIdAsync(IPage page) => page.EvaluateAsync<string>("document.activeElement.id");

    private static async Task TabToAsync(IPage page, string id)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await FocusedIdAsync(page) == id) return;
        }
        Assert.Fail($"#{id} was not reached with the Tab key");
    }
}
