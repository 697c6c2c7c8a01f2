using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.People;

/// <summary>One episode as probation sees it, and the person it is about (the pages show the name; the API does not).</summary>
public sealed record StatusEntry(EpisodeStatusView View, Person Person);

/// <summary>
/// People's status for probation (contract §7 last line), shared by the API (<see cref="PeopleEndpoints"/>) and the
/// probation pages: a delivery unit's caseload and a person's episodes, only within the caller's
/// <see cref="PduScope"/>, each episode's standing from <see cref="EpisodeStatusView"/> (the measure's own rules).
/// Reading is not showing: callers audit exactly the episodes they show, with <see cref="AuditShownAsync"/>.
/// </summary>
public sealed class PeopleStatus(HubDbContext db, ReferenceData mappings, AuditTrail audit, TimeProvider clock)
{
    public const string AtRisk = "at-risk";
    public static readonly IReadOnlyList<string> StatusFilters = [AtRisk, "pending", "engaged", "not-engaged", "excluded"];

    /// <summary>How far back the caseload looks: three months of releases covers every open window and the recent outcomes.</summary>
    public const int CaseloadDays = 90;

    // A class with init properties, not a positional record: EF can filter on members of an object
    // initialiser after the join, but not on the parameters of a constructor.
    public sealed class Row
    {
        public required Episode Episode { get; init; }
        public required Person Person { get; init; }
        public Referral? Referral { get; init; }
    }

    /// <summary>
    /// The releases of the last <see cref="CaseloadDays"/> days of one delivery unit (or, with null, of every unit in
    /// scope), those who most need a nudge first (see <see cref="Order"/>).
    /// </summary>
    public async Task<List<StatusEntry>> CaseloadAsync(PduScope scope, string? pduCode, CancellationToken ct)
    {
        var since = LondonTime.Today(clock).AddDays(-CaseloadDays);
        var query = InScope(Rows(), scope).Where(r => r.Episode.ReleaseDate >= since);
        if (pduCode is not null) query = query.Where(r => r.Episode.PduCode != null && r.Episode.PduCode.ToUpper() == pduCode);
        return Order(await EntriesAsync(query, ct));
    }

    /// <summary>The episodes in scope that <paramref name="select"/> picks (a person's, by NOMS number, CRN or id), latest release first.</summary>
    public async Task<List<StatusEntry>> EpisodesAsync(PduScope scope, Func<IQueryable<Row>, IQueryable<Row>> select, CancellationToken ct) =>
        (await EntriesAsync(select(InScope(Rows(), scope)), ct))
            .OrderByDescending(e => e.View.ReleaseDate).ThenBy(e => e.View.EpisodeId).ToList();

    /// <summary>Whether <paramref name="status"/> (one of <see cref="StatusFilters"/>, or null for all) takes this episode.</summary>
    public static bool Matches(EpisodeStatusView view, string? status) =>
        status is null || (status == AtRisk ? view.AtRisk : view.Outcome == status);

    /// <summary>Those who most need a nudge first: still pending, nobody has accepted, fewest days left (every at-risk episode comes first).</summary>
    public static List<StatusEntry> Order(IEnumerable<StatusEntry> entries) => entries
        .OrderBy(e => e.View.Outcome == "pending" ? 0 : 1)
        .ThenBy(e => e.View.Accepted ? 1 : 0)
        .ThenBy(e => e.View.DaysLeft)
        .ThenBy(e => e.View.ReleaseDate)
        .ThenBy(e => e.View.EpisodeId)
        .ToList();

    /// <summary>Audits each episode shown, one entry each, saved before anything is answered.</summary>
    public async Task AuditShownAsync(IEnumerable<EpisodeStatusView> shown, string action, CancellationToken ct)
    {
        var any = false;
        foreach (var view in shown)
        {
            audit.Record(action, "Episode", view.EpisodeId.ToString());
            any = true;
        }
        if (any) await db.SaveChangesAsync(ct);
    }

    private async Task<List<StatusEntry>> EntriesAsync(IQueryable<Row> query, CancellationToken ct)
    {
        var rows = await query.ToListAsync(ct);
        var today = LondonTime.Today(clock);
        var now = clock.GetUtcNow();
        return rows.Select(r => new StatusEntry(EpisodeStatusView.Of(r.Episode, r.Person, r.Referral, mappings, now, today), r.Person)).ToList();
    }

    private static IQueryable<Row> InScope(IQueryable<Row> rows, PduScope scope) =>
        scope.All ? rows : rows.Where(r => r.Episode.PduCode != null && scope.Codes.Contains(r.Episode.PduCode.ToUpper()));

    /// <summary>
    /// Episodes with their person and referral, only the columns <see cref="EpisodeStatusView"/> and the pages read: a
    /// caseload reads thousands of rows to order and count them, and whole rows cost several times as much to read.
    /// </summary>
    private IQueryable<Row> Rows() =>
        from episode in db.Episodes.AsNoTracking()
        join person in db.People.AsNoTracking() on episode.PersonId equals person.Id
        join referral in db.Referrals.AsNoTracking() on episode.Id equals referral.EpisodeId into referrals
        from referral in referrals.DefaultIfEmpty()
        select new Row
        {
            Episode = new Episode
            {
                Id = episode.Id, PersonId = episode.PersonId, NomsNumber = episode.NomsNumber, PrisonCode = episode.PrisonCode,
                ReleaseDate = episode.ReleaseDate, ReleaseDateSource = episode.ReleaseDateSource, ReleaseClassification = episode.ReleaseClassification,
                NeedKnown = episode.NeedKnown, Substances = episode.Substances, ConsentToShare = episode.ConsentToShare, ProviderOds = episode.ProviderOds,
                PduCode = episode.PduCode, Status = episode.Status, EngagedOn = episode.EngagedOn, ExclusionReason = episode.ExclusionReason,
                ExclusionDate = episode.ExclusionDate,
            },
            Person = new Person
            {
                Id = person.Id, NomsNumber = person.NomsNumber, Crn = person.Crn, GivenName = person.GivenName, FamilyName = person.FamilyName,
                DateOfBirth = person.DateOfBirth,
            },
            Referral = referral == null ? null : new Referral { Id = referral.Id, EpisodeId = referral.EpisodeId, ProviderOds = referral.ProviderOds, TaskStatus = referral.TaskStatus },
        };
}
