using System.Net;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.Reports;

namespace ContinuityHub.Tests.WebUi;

/// <summary>Issue #5 item 5: the dashboard shows the measure against the target, from the same numbers as the report.</summary>
public sealed class DashboardTests(DashboardTests.Releases data) : IClassFixture<DashboardTests.Releases>
{
    /// <summary>
    /// As of 22 November 2026: two engaged in time (September, October), one not engaged (October), one still
    /// within its 21 days (November): 2 of 3 decided = 66.7 %, below 75 %.
    /// </summary>
    public sealed class Releases : HubFactory, IAsyncLifetime
    {
        public async Task InitializeAsync()
        {
            await this.EngageAsync(await this.ReleasedAsync("2026-09-05"), "2026-09-20");
            await this.EngageAsync(await this.ReleasedAsync("2026-10-01", postcode: "NN1 1AA"), "2026-10-10", MeasureScenarios.WestProvider);
            await this.ReleasedAsync("2026-10-01");
            await this.ReleasedAsync("2026-11-15");
        }

        Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
    }

    [Fact]
    public async Task The_headline_rate_is_shown_against_the_75_percent_target_in_words_not_colour_alone()
    {
        var page = await (await data.SignedInBrowserAsync(HubRoles.Commissioner)).GetStringAsync("/dashboard");

        Assert.Contains(">66.7%</p>", page);
        Assert.Contains("Below target</strong>", page);
        Assert.Contains("✘ Below the 75% target by 8.3 percentage points", page);
        Assert.Contains("<strong>2</strong> of <strong>3</strong> people whose 21 days are decided engaged in time", page);
        Assert.Contains("between 50.0% (none engages) and 75.0% (all engage)", page);
    }

    [Fact]
    public async Task The_trend_is_inline_SVG_with_a_labelled_dashed_target_line_and_every_month_of_the_year()
    {
        var page = await (await data.SignedInBrowserAsync(HubRoles.Commissioner)).GetStringAsync("/dashboard");

        Assert.Contains("<svg role=\"img\"", page);
        Assert.Contains("class=\"target\"", page);
        Assert.Contains("stroke-dasharray", page);
        Assert.Contains(">Target 75%</text>", page);
        // Financial year 2026-27: April 2026 to March 2027, gaps for months without decided releases.
        foreach (var month in new[] { "Apr 26", "Sep 26", "Oct 26", "Nov 26", "Mar 27" }) Assert.Contains($">{month}</text>", page);
        Assert.Contains("Sep 26: 100.0% (1 of 1)", page);
        Assert.Contains("Oct 26: 50.0% (1 of 2)", page);
        Assert.Contains("Nov 26: nothing decided", page);
    }

    [Fact]
    public async Task The_breakdowns_show_each_provider_and_prison_with_their_counts()
    {
        var page = await (await data.SignedInBrowserAsync(HubRoles.Commissioner)).GetStringAsync("/dashboard");

        Assert.Contains("<h2 class=\"govuk-heading-m\">By treatment provider</h2>", page);
        Assert.Contains("<h2 class=\"govuk-heading-m\">By prison</h2>", page);
        Assert.Contains("<h2 class=\"govuk-heading-m\">By local authority</h2>", page);
        Assert.Contains("<h2 class=\"govuk-heading-m\">By substance group</h2>", page);
        // GOV.UK table markup: the name is the row's header, the figures numeric cells.
        var cell = "<td class=\"govuk-table__cell govuk-table__cell--numeric\">";
        Assert.Contains($"<th scope=\"row\" class=\"govuk-table__header\">HMP Onley</th>{cell}4</td>{cell}2</td>{cell}1</td>{cell}1</td>{cell}0</td>{cell}66.7%</td>", page);
    }

    [Fact]
    public async Task The_CSV_download_holds_the_same_figures_as_the_report_API()
    {
        var browser = await data.SignedInBrowserAsync(HubRoles.Commissioner);

        var response = await browser.GetAsync("/dashboard/engagement.csv?from=2026-04-01&to=2027-03-31");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var csv = await response.Content.ReadAsStringAsync();
        var api = await data.ClientFor(HubRoles.Commissioner).GetStringAsync(
            "/api/v1/reports/engagement?from=2026-04-01&to=2027-03-31&groupBy=month&groupBy=prison&groupBy=localAuthority&groupBy=provider&groupBy=substanceGroup&format=csv");
        Assert.Equal(api, csv);
        Assert.Contains("\r\ntotal,total,", csv);
    }

    [Fact]
    public async Task A_period_with_no_decided_outcome_says_so_instead_of_showing_a_rate()
    {
        var page = await (await data.SignedInBrowserAsync(HubRoles.Commissioner)).GetStringAsync("/dashboard?from=2025-04-01&to=2026-03-31");

        Assert.Contains("No outcomes decided yet in this period", page);
        Assert.DoesNotContain("class=\"point\"", page);
    }

    [Fact]
    public async Task Bad_dates_are_named_on_the_page_with_a_400()
    {
        var browser = await data.SignedInBrowserAsync(HubRoles.Commissioner);

        var response = await browser.GetAsync("/dashboard?from=2026-13-01&to=2026-01-01");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("from &#x27;2026-13-01&#x27; is not a date (yyyy-MM-dd).", page);
        Assert.Contains("govuk-error-summary", page);
    }

    [Theory]
    [InlineData(HubRoles.Probation, null, null, "*")]
    [InlineData(HubRoles.TreatmentProvider, null, "EXS2SN", null)]
    [InlineData(HubRoles.PrisonHealthcare, "ONI", null, null)]
    public async Task Only_commissioners_and_administrators_see_the_dashboard(string role, string? prisons, string? ods, string? pdu)
    {
        var browser = await data.SignedInBrowserAsync(role, prisons, ods, pdu);

        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/dashboard/engagement.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await data.SignedInBrowserAsync(HubRoles.Admin)).GetAsync("/dashboard")).StatusCode);
    }

    [Fact]
    public async Task The_page_is_never_cached()
    {
        var response = await (await data.SignedInBrowserAsync(HubRoles.Commissioner)).GetAsync("/dashboard");

        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
    }
}
