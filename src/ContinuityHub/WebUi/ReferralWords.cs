using ContinuityHub.Features.Referrals;

namespace ContinuityHub.WebUi;

/// <summary>How the pages name a referral's state and its days left, in words (a tag's colour only repeats them).</summary>
public static class ReferralWords
{
    public static (string Text, string TagClass) Status(string taskStatus) => taskStatus switch
    {
        TaskStatuses.Requested => ("New", "govuk-tag--blue"),
        TaskStatuses.Accepted => ("Accepted", "govuk-tag--turquoise"),
        TaskStatuses.InProgress => ("Engaged", "govuk-tag--green"),
        TaskStatuses.Completed => ("Completed", "govuk-tag--green"),
        TaskStatuses.Rejected => ("Rejected", "govuk-tag--grey"),
        TaskStatuses.Cancelled => ("Cancelled", "govuk-tag--grey"),
        TaskStatuses.Failed => ("Not engaged in 21 days", "govuk-tag--orange"),
        _ => (taskStatus, "govuk-tag--grey"),
    };

    /// <summary>"12 days left", "Released in 3 days", "Window ended", or null once engaged.</summary>
    public static (string Text, string TagClass)? DaysLeft(int daysLeft, bool engaged)
    {
        if (engaged) return null;
        if (daysLeft > CareWindow.EngageDays)
        {
            var untilRelease = daysLeft - CareWindow.EngageDays;
            return ($"Release in {untilRelease} day{(untilRelease == 1 ? "" : "s")}", "govuk-tag--grey");
        }
        if (daysLeft < 0) return ("Window ended", "govuk-tag--grey");
        return ($"{daysLeft} day{(daysLeft == 1 ? "" : "s")} left", daysLeft <= 7 ? "govuk-tag--red" : "govuk-tag--yellow");
    }

    public static string StateFilter(string state) => state switch
    {
        InboxFilter.Open => "Needing action (new, accepted, engaged)",
        InboxFilter.AnyState => "Any state",
        _ => Status(state).Text,
    };

    public static string DaysLeftFilter(string band) => band switch
    {
        InboxFilter.AtMost7 => "7 or fewer",
        InboxFilter.From8To14 => "8 to 14",
        InboxFilter.From15 => "15 or more (or not yet released)",
        InboxFilter.Ended => "Window ended",
        _ => band,
    };
}
