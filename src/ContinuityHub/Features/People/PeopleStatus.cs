using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ContinuityHub.Features.People;

/// <summary>One episode as probation sees it, and the person it is about (the pages show the name; the API does not).</summary>
public sealed record StatusEntry(EpisodeStatusView View, Person Person);

/// <summary>One page of a caseload: the releases shown, how many each filter takes (null: all), and how many the chosen filter takes.</summary>
public sealed record CaseloadPage(IReadOnlyList<StatusEntry> Entries, IReadOnlyList<(string? Status, int Count)> Counts, int Total);

/// <summary>
/// People's status for probation (contract §7 last line), shared by the API (<see cref="PeopleEndpoints"/>) and the
/// probation pages: a delivery unit's caseload and a person's episodes, only those the caller may see by the one
/// rule every read path uses (<see cref="CallerScope"/>), each episode's standing from <see cref="EpisodeStatusView"/> (the measure's own rules).
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
    /// One page of the releases of the last <see cref="CaseloadDays"/> days (and those planned) of one delivery unit
    /// (or, with null, of every unit in scope) that <paramref name="status"/> takes (one of <see cref="StatusFilters"/>,
    /// or null for all), those who most need a nudge first, with the count of each filter. Classified, counted,
    /// filtered, ordered and paged in SQL (<see cref="CaseloadSql"/>); only the page's rows are read.
    /// </summary>
    public async Task<CaseloadPage> CaseloadAsync(CallerScope scope, string? pduCode, string? status, long skip, int take, CancellationToken ct)
    {
        var today = LondonTime.Today(clock);
        var where = CaseloadSql.Where(limitToCodes: !scope.AllPdus, onePdu: pduCode is not null);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var counts = new int[StatusFilters.Count + 1];
        var ids = new List<Guid>();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using (var command = Command(CaseloadSql.Counts(where)))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                for (var i = 0; i < counts.Length; i++) counts[i] = reader.GetInt32(i);
            }
            await using (var command = Command(CaseloadSql.Page(where)))
            {
                command.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
                command.Parameters.Add(new NpgsqlParameter("skip", NpgsqlDbType.Bigint) { Value = skip });
                command.Parameters.Add(new NpgsqlParameter("take", NpgsqlDbType.Integer) { Value = take });
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        var position = ids.Select((id, index) => (id, index)).ToDictionary(x => x.id, x => x.index);
        var entries = (await EntriesAsync(Rows(scope).Where(r => ids.Contains(r.Episode.Id)), ct)).OrderBy(e => position[e.View.EpisodeId]).ToList();
        IReadOnlyList<(string?, int)> perFilter = [(null, counts[0]), .. StatusFilters.Select((filter, i) => ((string?)filter, counts[i + 1]))];
        return new CaseloadPage(entries, perFilter, status is null ? counts[0] : counts[1 + StatusFilters.ToList().IndexOf(status)]);

        NpgsqlCommand Command(string sql) => new(sql, connection)
        {
            Parameters =
            {
                new NpgsqlParameter("today", today),
                new NpgsqlParameter("since", today.AddDays(-CaseloadDays)),
                new NpgsqlParameter("codes", scope.PduCodes),
                new NpgsqlParameter("pdu", NpgsqlDbType.Text) { Value = (object?)pduCode ?? DBNull.Value },
            },
        };
    }

    /// <summary>The episodes in scope that <paramref name="select"/> picks (a person's, by NOMS number, CRN or id), latest release first.</summary>
    public async Task<List<StatusEntry>> EpisodesAsync(CallerScope scope, Func<IQueryable<Row>, IQueryable<Row>> select, CancellationToken ct) =>
        (await EntriesAsync(select(Rows(scope)), ct))
            .OrderByDescending(e => e.View.ReleaseDate).ThenBy(e => e.View.EpisodeId).ToList();

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

    /// <summary>
    /// The episodes <paramref name="scope"/> may see, with their person and referral, only the columns <see cref="EpisodeStatusView"/> and the pages read: a
    /// caseload reads thousands of rows to order and count them, and whole rows cost several times as much to read.
    /// </summary>
    private IQueryable<Row> Rows(CallerScope scope) =>
        from episode in scope.Episodes(db).AsNoTracking()
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
