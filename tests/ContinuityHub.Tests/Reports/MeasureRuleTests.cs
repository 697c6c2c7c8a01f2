using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ContinuityHub.Tests.Reports.MeasureScenarios;

namespace ContinuityHub.Tests.Reports;

/// <summary>
/// Every rule edge of contract §7 (issue #5 item 6), built through the hub's own API — release notifications,
/// HMPPS events, provider actions — and read back through GET /api/v1/reports/engagement. Each test also holds
/// the report to <c>EngagementRules.Classify</c> applied episode by episode. Each test releases into months of
/// its own and sets the clock it needs, so the tests sharing this hub never see each other's episodes.
/// </summary>
public sealed class MeasureRuleTests(HubFactory hub) : IClassFixture<HubFactory>
{
    /// <summary>A London wall-clock time as the UTC instant the clock gives (TimeProvider.GetUtcNow is UTC).</summary>
    private static DateTimeOffset London(string localDateTime, int utcOffsetHours) =>
        DateTimeOffset.Parse(localDateTime + $"+{utcOffsetHours:D2}:00", System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();

    private async Task<JsonElement> CheckedReportAsync(string? from, string? to, string? asOf = null, params string[] groupBy)
    {
        var report = await hub.ReportAsync(from, to, asOf, groupBy);
        await RulesAgreement.AssertReportMatchesRulesAsync(hub, report);
        return report;
    }

    [Fact]
    public async Task Engagement_on_day_0_and_day_21_counts_and_day_22_does_not()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        await hub.EngageAsync(await hub.ReleasedAsync("2024-01-08"), "2024-01-08"); // day 0
        await hub.EngageAsync(await hub.ReleasedAsync("2024-01-09"), "2024-01-30"); // day 21
        await hub.EngageAsync(await hub.ReleasedAsync("2024-01-10"), "2024-02-01"); // day 22

        var report = await CheckedReportAsync("2024-01-01", "2024-01-31");

        Assert.Equal((3, 2, 1, 0, 0), Totals(report));
        Assert.Equal(0.6667m, report.GetProperty("rate").GetDecimal());
        Assert.False(report.GetProperty("meetsTarget").GetBoolean());
    }

    [Fact]
    public async Task An_engagement_recorded_late_with_a_date_inside_the_window_counts_and_its_failed_Task_becomes_completed()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        var inWindow = await hub.ReleasedAsync("2024-02-05");   // window closes 2024-02-26
        var tooLate = await hub.ReleasedAsync("2024-02-06");    // window closes 2024-02-27
        var viaFhir = await hub.ReleasedAsync("2024-02-07");    // window closes 2024-02-28
        // The follow-up engine marks the Task failed when the window closes without an engagement.
        TestPostgres.Execute(hub.ConnectionString,
            $"UPDATE referrals SET task_status = 'failed' WHERE id IN ('{inWindow.ReferralId}', '{tooLate.ReferralId}', '{viaFhir.ReferralId}')");
        var before = await CheckedReportAsync("2024-02-01", "2024-02-29", "2024-03-31");
        Assert.Equal((3, 0, 3, 0, 0), Totals(before));

        // Months later the providers record what happened: engaged on day 15, on day 28, and (through FHIR) on day 14.
        await hub.EngageAsync(inWindow, "2024-02-20");
        await hub.EngageAsync(tooLate, "2024-03-05");
        var task = await hub.CompleteTaskAsync(viaFhir, "2024-02-21");

        // The same question (as of 2024-03-31) now has a different answer: the measure reads the dates, not when they arrived.
        var after = await CheckedReportAsync("2024-02-01", "2024-02-29", "2024-03-31");
        Assert.Equal((3, 2, 1, 0, 0), Totals(after));
        Assert.Equal("completed", task.GetProperty("status").GetString());
        await using var db = hub.Db();
        Assert.Equal("completed", (await db.Referrals.SingleAsync(r => r.Id == inWindow.ReferralId)).TaskStatus);
        Assert.Equal("failed", (await db.Referrals.SingleAsync(r => r.Id == tooLate.ReferralId)).TaskStatus);
    }

    [Fact]
    public async Task An_exclusion_before_the_engagement_excludes_one_on_or_after_it_does_not_and_one_after_day_21_is_ignored()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        var before = await hub.ReleasedAsync("2024-09-02");
        await hub.EngageAsync(before, "2024-09-12");
        await hub.AdmittedAsync(before.Noms, "2024-09-10");        // arrives late, dated before the engagement: excluded
        var sameDay = await hub.ReleasedAsync("2024-09-03");
        await hub.EngageAsync(sameDay, "2024-09-10");
        await hub.AdmittedAsync(sameDay.Noms, "2024-09-10");       // the same day: the engagement counts
        var after = await hub.ReleasedAsync("2024-09-04");
        await hub.EngageAsync(after, "2024-09-08");
        await hub.AdmittedAsync(after.Noms, "2024-09-15");         // after engaging: engaged
        var pastWindow = await hub.ReleasedAsync("2024-09-05");
        await hub.AdmittedAsync(pastWindow.Noms, "2024-09-27");    // day 22: not an exclusion, the window closed unengaged
        var died = await hub.ReleasedAsync("2024-09-06");
        await hub.EventAsync(HmppsEvents.Release(died.Noms, "2024-09-06T10:00:00+01:00", movementReasonCode: "DEC")); // died on release day

        var report = await CheckedReportAsync("2024-09-01", "2024-09-30");

        Assert.Equal((5, 2, 1, 0, 2), Totals(report));
        var exclusions = report.GetProperty("exclusions");
        Assert.Equal((1, 1, 0, 0), (exclusions.GetProperty("returnedToCustody").GetInt32(), exclusions.GetProperty("died").GetInt32(),
            exclusions.GetProperty("removedFromUk").GetInt32(), exclusions.GetProperty("hospital").GetInt32()));
        Assert.Equal(0.6667m, report.GetProperty("rate").GetDecimal());
    }

    [Fact]
    public async Task A_release_date_moved_by_an_HMPPS_event_moves_the_window_and_the_month()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        var release = await hub.ReleasedAsync("2024-12-03", status: "planned");
        await hub.EngageAsync(release, "2024-12-20");               // day 17 of the planned date
        var planned = await CheckedReportAsync("2024-11-01", "2024-12-31", null, "month");
        Assert.Equal((0, 0, 0, 0, 0), Totals(planned));             // a planned release is not yet a confirmed one

        await hub.EventAsync(HmppsEvents.Release(release.Noms, "2024-11-28T09:30:00Z"));  // released five days early

        var moved = await CheckedReportAsync("2024-11-01", "2024-12-31", null, "month");
        Assert.Equal((1, 0, 1, 0, 0), Totals(moved));               // 2024-12-20 is day 22 of 2024-11-28
        Assert.Equal((1, 0, 1, 0, 0), Totals(Group(moved, "month", "2024-11")));
        Assert.Equal((0, 0, 0, 0, 0), Totals(Group(moved, "month", "2024-12")));
    }

    [Fact]
    public async Task Event_only_episodes_whose_need_is_unknown_are_kept_out_of_the_cohort()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        await hub.EventAsync(HmppsEvents.Release(Notifications.NewNomsNumber(), "2024-06-10T11:00:00+01:00"));
        await hub.EventAsync(HmppsEvents.Release(Notifications.NewNomsNumber(), "2024-06-11T11:00:00+01:00"));
        await hub.ReleasedAsync("2024-06-12");

        var report = await CheckedReportAsync("2024-06-01", "2024-06-30");

        Assert.Equal((1, 0, 1, 0, 0), Totals(report));
        await using var db = hub.Db();
        Assert.Equal(3, await db.Episodes.CountAsync(e => e.ReleaseDate >= new DateOnly(2024, 6, 1) && e.ReleaseDate <= new DateOnly(2024, 6, 30)));
    }

    [Fact]
    public async Task A_person_who_did_not_consent_to_sharing_stays_in_the_cohort_and_counts_as_not_engaged()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases",
            Notifications.Example(releaseDate: "2024-07-08", status: "released", consent: false, substances: ["opiates"]));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("referralId").ValueKind);

        var report = await CheckedReportAsync("2024-07-01", "2024-07-31");

        Assert.Equal((1, 0, 1, 0, 0), Totals(report));
        Assert.Equal(0m, report.GetProperty("rate").GetDecimal());
    }

    [Fact]
    public async Task London_dates_decide_on_the_days_the_clocks_change()
    {
        // 2024-03-31 BST began at 01:00 UTC; 2024-10-27 it ended at 01:00 UTC.
        hub.Clock.Set(London("2024-11-20T12:00:00", 0));
        var spring = await hub.ReleasedAsync("2024-03-31", status: "planned");
        var springUnengaged = await hub.ReleasedAsync("2024-03-31", status: "planned");
        await hub.EventAsync(HmppsEvents.Release(spring.Noms, "2024-03-31T00:30:00Z"));          // 00:30 GMT: 31 March in London
        await hub.EventAsync(HmppsEvents.Release(springUnengaged.Noms, "2024-03-31T23:30:00Z")); // 00:30 BST on 1 April in London
        await hub.EngageAsync(spring, "2024-04-21");                                             // day 21
        var autumn = await hub.ReleasedAsync("2024-10-27", status: "planned");
        await hub.EventAsync(HmppsEvents.Release(autumn.Noms, "2024-10-26T23:30:00Z"));           // 00:30 BST: 27 October in London, 26th in UTC
        await hub.EngageAsync(autumn, "2024-11-17");                                             // day 21

        var spring31 = await CheckedReportAsync("2024-03-31", "2024-03-31");
        Assert.Equal((1, 1, 0, 0, 0), Totals(spring31));
        Assert.Equal((1, 0, 0, 1, 0), Totals(await CheckedReportAsync("2024-04-01", "2024-04-01", "2024-04-22"))); // day 21: still open
        Assert.Equal((1, 0, 1, 0, 0), Totals(await CheckedReportAsync("2024-04-01", "2024-04-01", "2024-04-23"))); // day 22: closed
        Assert.Equal((1, 1, 0, 0, 0), Totals(await CheckedReportAsync("2024-10-27", "2024-10-27")));
        Assert.Equal((0, 0, 0, 0, 0), Totals(await CheckedReportAsync("2024-10-26", "2024-10-26")));

        // The default "as of" is today's London date: at 23:30 UTC on 22 April it is already the 23rd in London.
        hub.Clock.Set(DateTimeOffset.Parse("2024-04-22T22:30:00Z"));
        var asOfLondon = await CheckedReportAsync("2024-04-01", "2024-04-01");
        Assert.Equal("2024-04-22", asOfLondon.GetProperty("asOf").GetString());                  // 23:30 BST
        Assert.Equal((1, 0, 0, 1, 0), Totals(asOfLondon));                                       // day 21: still pending
        hub.Clock.Set(DateTimeOffset.Parse("2024-04-22T23:30:00Z"));                             // 00:30 BST on the 23rd
        var nextDay = await CheckedReportAsync("2024-04-01", "2024-04-01");
        Assert.Equal("2024-04-23", nextDay.GetProperty("asOf").GetString());
        Assert.Equal((1, 0, 1, 0, 0), Totals(nextDay));
        hub.Clock.Set(HubFactory.DefaultNow);
    }

    [Fact]
    public async Task An_empty_period_has_a_null_rate_and_no_verdict()
    {
        hub.Clock.Set(HubFactory.DefaultNow);
        var report = await CheckedReportAsync("2024-08-01", "2024-08-31", null, "month", "prison");

        Assert.Equal((0, 0, 0, 0, 0), Totals(report));
        Assert.Equal(JsonValueKind.Null, report.GetProperty("rate").ValueKind);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("meetsTarget").ValueKind);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("rateIfAllPendingEngage").ValueKind);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("rateIfNoPendingEngage").ValueKind);
        var august = Group(report, "month", "2024-08");
        Assert.Equal((0, 0, 0, 0, 0), Totals(august));
        Assert.Equal(JsonValueKind.Null, august.GetProperty("rate").ValueKind);
        Assert.Equal(9, report.GetProperty("groups").EnumerateArray().Count(g => g.GetProperty("by").GetString() == "prison")); // every mapped prison
    }

    [Fact]
    public async Task Pending_people_give_the_bounds_and_facts_after_the_as_of_date_are_not_yet_known()
    {
        hub.Clock.Set(HubFactory.DefaultNow); // 2026-11-22
        await hub.ReleasedAsync("2026-10-20");                                      // window closed 2026-11-10: not engaged
        await hub.ReleasedAsync("2026-11-10");                                      // day 12: pending
        await hub.EngageAsync(await hub.ReleasedAsync("2026-11-09"), "2026-11-20"); // engaged
        await hub.EngageAsync(await hub.ReleasedAsync("2026-10-21"), "2026-10-30"); // engaged

        var report = await CheckedReportAsync("2026-10-01", "2026-11-30");
        Assert.Equal("2026-11-22", report.GetProperty("asOf").GetString());
        Assert.Equal((4, 2, 1, 1, 0), Totals(report));
        Assert.Equal(0.6667m, report.GetProperty("rate").GetDecimal());
        Assert.Equal(0.75m, report.GetProperty("rateIfAllPendingEngage").GetDecimal());
        Assert.Equal(0.5m, report.GetProperty("rateIfNoPendingEngage").GetDecimal());

        // As of 12 November: the 2026-11-09 release was pending (its engagement on the 20th was still ahead).
        var earlier = await CheckedReportAsync("2026-10-01", "2026-11-30", "2026-11-12");
        Assert.Equal((4, 1, 1, 2, 0), Totals(earlier));
        // As of 9 November the 10 November release had not happened yet.
        Assert.Equal(3, (await CheckedReportAsync("2026-10-01", "2026-11-30", "2026-11-09")).GetProperty("cohort").GetInt32());
    }

    [Fact]
    public async Task Financial_years_split_between_31_March_and_1_April_and_the_default_period_follows_the_London_date()
    {
        hub.Clock.Set(London("2025-04-02T12:00:00", 1));
        await hub.EngageAsync(await hub.ReleasedAsync("2025-03-31"), "2025-03-31");
        await hub.EngageAsync(await hub.ReleasedAsync("2025-04-01"), "2025-04-01");

        var lastYear = await CheckedReportAsync("2024-04-01", "2025-03-31", "2025-04-02", "month");
        Assert.Equal((1, 1, 0, 0, 0), Totals(Group(lastYear, "month", "2025-03")));
        Assert.DoesNotContain(lastYear.GetProperty("groups").EnumerateArray(), g => g.GetProperty("key").GetString() == "2025-04");
        var thisYear = await CheckedReportAsync("2025-04-01", "2026-03-31", "2025-04-02", "month");
        Assert.Equal((1, 1, 0, 0, 0), Totals(thisYear));
        Assert.Equal(12, thisYear.GetProperty("groups").GetArrayLength()); // April 2025 … March 2026, empty months included
        Assert.Equal("April 2025", thisYear.GetProperty("groups")[0].GetProperty("label").GetString());

        // No parameters: the financial year and the day of the London date. 23:59 BST on 31 March is still 2024/25 …
        hub.Clock.Set(DateTimeOffset.Parse("2025-03-31T22:59:00Z"));
        var march31 = await CheckedReportAsync(null, null);
        Assert.Equal(("2024-04-01", "2025-03-31", "2025-03-31"),
            (march31.GetProperty("from").GetString(), march31.GetProperty("to").GetString(), march31.GetProperty("asOf").GetString()));
        // … and 00:30 BST on 1 April (23:30 UTC on 31 March) is 2025/26.
        hub.Clock.Set(DateTimeOffset.Parse("2025-03-31T23:30:00Z"));
        var april1 = await CheckedReportAsync(null, null);
        Assert.Equal(("2025-04-01", "2026-03-31", "2025-04-01"),
            (april1.GetProperty("from").GetString(), april1.GetProperty("to").GetString(), april1.GetProperty("asOf").GetString()));
        Assert.Equal((1, 1, 0, 0, 0), Totals(april1));
        hub.Clock.Set(HubFactory.DefaultNow);
    }
}
