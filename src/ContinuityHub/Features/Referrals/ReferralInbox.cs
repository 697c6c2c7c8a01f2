using System.Globalization;
using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Referrals;

/// <summary>The inbox's filters, from GET query values that name no one (states, a prison code, a days-left band, a page).</summary>
public sealed record InboxFilter(string State, string? Prison, string? DaysLeft, int Page)
{
    public const int PageSize = 50;

    /// <summary>requested, accepted and in-progress: the referrals that still need the provider.</summary>
    public const string Open = "open";
    public const string AnyState = "any";
    public static readonly IReadOnlyList<string> States =
        [Open, TaskStatuses.Requested, TaskStatuses.Accepted, TaskStatuses.InProgress, TaskStatuses.Completed, TaskStatuses.Rejected,
         TaskStatuses.Failed, TaskStatuses.Cancelled, AnyState];

    public const string AtMost7 = "0-7";
    public const string From8To14 = "8-14";
    public const string From15 = "15-or-more";
    public const string Ended = "ended";
    public static readonly IReadOnlyList<string> DaysLeftBands = [AtMost7, From8To14, From15, Ended];

    /// <summary>The filter, or the problems with the query, each on the field it is about.</summary>
    public static (InboxFilter? Filter, List<(string Field, string Message)> Problems) Parse(string? state, string? prison, string? daysLeft, string? page,
        IEnumerable<string> knownPrisons)
    {
        var problems = new List<(string, string)>();
        state = string.IsNullOrWhiteSpace(state) ? Open : state.Trim();
        if (!States.Contains(state)) problems.Add(("state", "Choose a state from the list."));
        prison = string.IsNullOrWhiteSpace(prison) ? null : prison.Trim().ToUpperInvariant();
        if (prison is not null && !knownPrisons.Contains(prison)) problems.Add(("prison", "Choose a prison from the list."));
        daysLeft = string.IsNullOrWhiteSpace(daysLeft) ? null : daysLeft.Trim();
        if (daysLeft is not null && !DaysLeftBands.Contains(daysLeft)) problems.Add(("daysLeft", "Choose how many days are left from the list."));
        var number = 1;
        if (!string.IsNullOrWhiteSpace(page) && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number < 1 || number > 100_000))
            problems.Add(("page", "The page number must be a whole number from 1."));
        return (problems.Count == 0 ? new InboxFilter(state, prison, daysLeft, number) : null, problems);
    }
}

/// <summary>One referral in the inbox: who, from where, when, and where it stands.</summary>
public sealed record InboxRow(Guid ReferralId, string TaskStatus, string NomsNumber, string? GivenName, string? FamilyName, string? PrisonCode,
    DateOnly ReleaseDate, bool ReleaseConfirmed, DateOnly? AppointmentDate, DateOnly? EngagedOn, string EpisodeStatus, int DaysLeft)
{
    /// <summary>Contract §6: 7 or fewer of the 21 days left and nobody has engaged.</summary>
    public bool AtRisk => DaysLeft is >= 0 and <= 7 && EngagedOn is null && EpisodeStatus == Domain.EpisodeStatus.Open;
}

public sealed record InboxPage(IReadOnlyList<InboxRow> Rows, int Total, InboxFilter Filter)
{
    public int Pages => Math.Max(1, (Total + InboxFilter.PageSize - 1) / InboxFilter.PageSize);
}

/// <summary>
/// A provider's referral inbox: the referrals they may see (<see cref="ProviderReferrals"/>), new ones
/// (<c>requested</c>) first, then those whose 21 days are still running by days left (fewest first), then those whose window
/// has closed (most recent first), 50 a page. The filters narrow on the
/// referrals' index (provider, state) and the episodes' release dates; each person listed is audited.
/// </summary>
public sealed class ReferralInbox(HubDbContext db, AuditTrail audit, TimeProvider clock)
{
    public async Task<InboxPage> ListAsync(HubUser user, InboxFilter filter, CancellationToken ct)
    {
        var today = LondonTime.Today(clock);
        var referrals = db.Referrals.AsNoTracking().VisibleTo(user);
        referrals = filter.State switch
        {
            InboxFilter.AnyState => referrals,
            InboxFilter.Open => referrals.Where(r => r.TaskStatus == TaskStatuses.Requested || r.TaskStatus == TaskStatuses.Accepted || r.TaskStatus == TaskStatuses.InProgress),
            var state => referrals.Where(r => r.TaskStatus == state),
        };
        if (filter.Prison is { } prison) referrals = referrals.Where(r => r.Episode!.PrisonCode == prison);
        // Days left = release date + 21 − today, so each band is a range of release dates.
        var window = CareWindow.EngageDays;
        referrals = filter.DaysLeft switch
        {
            InboxFilter.AtMost7 => referrals.Where(r => r.Episode!.ReleaseDate >= today.AddDays(-window) && r.Episode.ReleaseDate <= today.AddDays(7 - window)),
            InboxFilter.From8To14 => referrals.Where(r => r.Episode!.ReleaseDate >= today.AddDays(8 - window) && r.Episode.ReleaseDate <= today.AddDays(14 - window)),
            InboxFilter.From15 => referrals.Where(r => r.Episode!.ReleaseDate >= today.AddDays(15 - window)),
            InboxFilter.Ended => referrals.Where(r => r.Episode!.ReleaseDate < today.AddDays(-window)),
            _ => referrals,
        };

        var total = await referrals.CountAsync(ct);
        // Windows still open (release date on or after this) by days left, fewest first; then the closed ones, most recently closed first.
        var openSince = today.AddDays(-window);
        var rows = await referrals
            .OrderBy(r => r.TaskStatus == TaskStatuses.Requested ? 0 : 1)
            .ThenBy(r => r.Episode!.ReleaseDate < openSince ? 1 : 0)
            .ThenBy(r => r.Episode!.ReleaseDate < openSince ? openSince : r.Episode.ReleaseDate)
            .ThenByDescending(r => r.Episode!.ReleaseDate)
            .ThenBy(r => r.Id)
            .Skip((filter.Page - 1) * InboxFilter.PageSize).Take(InboxFilter.PageSize)
            .Select(r => new
            {
                r.Id, r.TaskStatus, r.Episode!.NomsNumber, r.Episode.Person!.GivenName, r.Episode.Person.FamilyName, r.Episode.PrisonCode,
                r.Episode.ReleaseDate, r.Episode.ReleaseDateSource, r.AppointmentDate, r.Episode.EngagedOn, r.Episode.Status,
            })
            .ToListAsync(ct);

        // The inbox shows names: a read of each person's record, as the FHIR search audits each referral it returns.
        foreach (var row in rows) audit.Record("referral.list", "Referral", row.Id.ToString());
        if (rows.Count > 0) await db.SaveChangesAsync(ct);

        return new InboxPage(rows.Select(r => new InboxRow(r.Id, r.TaskStatus, r.NomsNumber, r.GivenName, r.FamilyName, r.PrisonCode, r.ReleaseDate,
            r.ReleaseDateSource != ReleaseDateSources.PlannedNotification, r.AppointmentDate, r.EngagedOn, r.Status,
            CareWindow.Deadline(r.ReleaseDate).DayNumber - today.DayNumber)).ToList(), total, filter);
    }
}
