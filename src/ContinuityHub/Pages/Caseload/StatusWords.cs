using System.Globalization;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.People;

namespace ContinuityHub.Pages.Caseload;

/// <summary>What the probation pages call the hub's codes, in words (and the GOV.UK tag colour that goes with each).</summary>
public static class StatusWords
{
    public static (string Text, string TagClass) Outcome(EpisodeStatusView view) => view.Outcome switch
    {
        _ when view.AtRisk => ("At risk", "govuk-tag--red"),
        "pending" => ("Pending", "govuk-tag--blue"),
        "engaged" => ("Engaged", "govuk-tag--green"),
        "not-engaged" => ("Not engaged", "govuk-tag--orange"),
        "excluded" => ("Excluded", "govuk-tag--grey"),
        _ when view.DaysSinceRelease < 0 => ("Release planned", "govuk-tag--light-blue"),
        _ => ("Not counted", "govuk-tag--grey"),
    };

    public static string Filter(string? status) => status switch
    {
        null => "All",
        PeopleStatus.AtRisk => "At risk",
        "pending" => "Pending",
        "engaged" => "Engaged",
        "not-engaged" => "Not engaged",
        "excluded" => "Excluded",
        _ => status,
    };

    /// <summary>The referral's Task status in words, or why there is none.</summary>
    public static string Referral(string status) => status switch
    {
        "requested" => "Sent, not yet accepted",
        "accepted" => "Accepted",
        "rejected" => "Rejected by the provider",
        "in-progress" => "Engaged in treatment",
        "completed" => "Completed",
        "cancelled" => "Cancelled (excluded)",
        "failed" => "Window closed without engagement",
        _ when status.StartsWith("no referral (", StringComparison.Ordinal) => "No referral: " + status["no referral (".Length..^1],
        _ => status,
    };

    public static string Exclusion(string? reason) => reason switch
    {
        ExclusionReasons.Died => "Died",
        ExclusionReasons.ReturnedToCustody => "Returned to custody",
        ExclusionReasons.RemovedFromUk => "Removed from the UK",
        ExclusionReasons.Hospital => "In hospital",
        null => "",
        _ => reason,
    };

    public static string Checkpoint(string code) => code switch
    {
        "day-before-release" => "Reminder to the provider and prison team (the day before release)",
        "day-2-escalation" => "Escalation if not accepted (day 2)",
        "day-7-alert" => "Alert to you and the provider if not engaged (day 7)",
        "day-14-alert" => "Alert to you and the provider if not engaged (day 14)",
        "window-close" => "Window closes (end of day 21)",
        _ => code,
    };

    /// <summary>"22 November 2026", as GOV.UK writes dates.</summary>
    public static string Date(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    public static string Date(DateOnly? date) => date is { } d ? Date(d) : "";

    /// <summary>Days left of the 21, or the engagement date, or nothing once decided otherwise.</summary>
    public static string DaysLeftOrEngaged(EpisodeStatusView view) => view.Outcome switch
    {
        "engaged" when view.EngagedOn is { } engaged => "Engaged " + Date(engaged),
        _ when view.DaysSinceRelease < 0 => $"Release in {-view.DaysSinceRelease} day{(view.DaysSinceRelease == -1 ? "" : "s")}",
        "pending" => view.DaysLeft == 1 ? "1 day left" : $"{view.DaysLeft} days left",
        _ => "",
    };
}
