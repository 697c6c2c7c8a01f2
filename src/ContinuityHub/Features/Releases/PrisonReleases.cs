using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Features.People;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Releases;

/// <summary>One release from the caller's prisons, with where its referral stands.</summary>
public sealed record PrisonReleaseRow(
    string GivenName,
    string FamilyName,
    string PrisonCode,
    string PrisonName,
    Guid? LatestNotificationId,
    EpisodeStatusView Status);

/// <summary>The releases of the last and next <see cref="PrisonReleases.WindowDays"/> days, as of <paramref name="Today"/>.</summary>
public sealed record PrisonReleaseList(DateOnly Today, IReadOnlyList<Prison> Prisons, string? Prison,
    IReadOnlyList<PrisonReleaseRow> Upcoming, IReadOnlyList<PrisonReleaseRow> Recent);

/// <summary>
/// "Releases from my prisons" (issue 11, prison healthcare): a prison team's releases around today, each
/// with its referral state and whether the provider has accepted, from <see cref="EpisodeStatusView"/> (the
/// same view probation's API gives). Only the caller's <c>prisons</c>; every release shown is audited.
/// </summary>
public sealed class PrisonReleases(HubDbContext db, ReferenceData mappings, AuditTrail audit, TimeProvider clock)
{
    public const int WindowDays = 28;

    /// <summary>The caller's prisons known in the mappings (all of them for a <c>*</c> scope).</summary>
    public static IReadOnlyList<Prison> PrisonsOf(HubUser user, ReferenceData mappings) =>
        user.IsIn(HubRoles.PrisonHealthcare)
            ? mappings.Prisons.Values.Where(p => user.MayActForPrison(p.Code)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList()
            : [];

    /// <returns>The list, or null when <paramref name="prison"/> is not one of the caller's prisons.</returns>
    public async Task<PrisonReleaseList?> ListAsync(HubUser user, string? prison, CancellationToken cancellationToken)
    {
        var prisons = PrisonsOf(user, mappings);
        var codes = prisons.Select(p => p.Code).ToList();
        if (prison is not null)
        {
            prison = prison.Trim().ToUpperInvariant();
            if (!codes.Contains(prison)) return null;
            codes = [prison];
        }

        var today = LondonTime.Today(clock);
        var (first, last) = (today.AddDays(-WindowDays), today.AddDays(WindowDays));
        var rows = await (
                from episode in db.Episodes.AsNoTracking()
                join person in db.People.AsNoTracking() on episode.PersonId equals person.Id
                join referral in db.Referrals.AsNoTracking() on episode.Id equals referral.EpisodeId into referrals
                from referral in referrals.DefaultIfEmpty()
                where episode.PrisonCode != null && codes.Contains(episode.PrisonCode) && episode.ReleaseDate >= first && episode.ReleaseDate <= last
                select new { episode, person, referral })
            .ToListAsync(cancellationToken);
        var episodeIds = rows.Select(r => r.episode.Id).ToList();
        var latestNotifications = await db.ReleaseNotifications.AsNoTracking()
            .Where(n => episodeIds.Contains(n.EpisodeId))
            .GroupBy(n => n.EpisodeId)
            .Select(g => g.OrderByDescending(n => n.ReceivedAt).Select(n => new { n.EpisodeId, n.NotificationId }).First())
            .ToDictionaryAsync(n => n.EpisodeId, n => n.NotificationId, cancellationToken);

        var now = clock.GetUtcNow();
        var releases = rows.Select(r => new PrisonReleaseRow(
                r.person.GivenName ?? "", r.person.FamilyName ?? "", r.episode.PrisonCode!,
                mappings.Prisons.GetValueOrDefault(r.episode.PrisonCode!)?.Name ?? r.episode.PrisonCode!,
                latestNotifications.TryGetValue(r.episode.Id, out var notificationId) ? notificationId : null,
                EpisodeStatusView.Of(r.episode, r.person, r.referral, mappings, now, today)))
            .ToList();
        foreach (var release in releases) audit.Record("prison.releases.read", "Episode", release.Status.EpisodeId.ToString());
        if (releases.Count > 0) await db.SaveChangesAsync(cancellationToken);

        return new PrisonReleaseList(today, prisons, prison,
            releases.Where(r => r.Status.ReleaseDate >= today).OrderBy(r => r.Status.ReleaseDate).ThenBy(r => r.FamilyName).ThenBy(r => r.Status.EpisodeId).ToList(),
            releases.Where(r => r.Status.ReleaseDate < today).OrderByDescending(r => r.Status.ReleaseDate).ThenBy(r => r.FamilyName).ThenBy(r => r.Status.EpisodeId).ToList());
    }
}
