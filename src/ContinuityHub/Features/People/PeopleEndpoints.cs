using System.Text.RegularExpressions;
using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.People;

/// <summary>
/// People's status for probation (contract §7 last line, issue #5 item 4): a person's episodes, and a
/// delivery unit's caseload filtered by where each person stands. PROBATION sees only episodes whose PDU is
/// in its <c>pdu</c> claim (<c>*</c> = all); ADMIN sees all. Every episode shown is audited.
/// </summary>
public static partial class PeopleEndpoints
{
    public static readonly IReadOnlyList<string> StatusFilters = ["at-risk", "pending", "engaged", "not-engaged", "excluded"];

    /// <summary>How far back the caseload looks: three months of releases covers every open window and the recent outcomes.</summary>
    public const int CaseloadDays = 90;

    public static void MapPeople(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1")
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Probation, HubRoles.Admin))
            .WithTags("People");
        group.MapGet("/people/{personId}/episodes", PersonEpisodesAsync)
            .WithSummary("A person's release episodes, by NOMS number or CRN")
            .Produces<PersonEpisodes>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/caseload", CaseloadAsync)
            .WithSummary("A delivery unit's releases of the last 90 days")
            .Produces<Caseload>().ProducesProblem(StatusCodes.Status400BadRequest);
    }

    // A class with init properties, not a positional record: EF can filter on members of an object
    // initialiser after the join, but not on the parameters of a constructor.
    private sealed class Row
    {
        public required Episode Episode { get; init; }
        public required Person Person { get; init; }
        public Referral? Referral { get; init; }
    }

    private static async Task<IResult> PersonEpisodesAsync(string personId, HttpContext context, HubDbContext db, ReferenceData mappings,
        AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var id = personId.Trim().ToUpperInvariant();
        var isNoms = NomsPattern().IsMatch(id);
        if (!isNoms && !CrnPattern().IsMatch(id))
            return ApiProblems.Status(StatusCodes.Status400BadRequest, "The person id is malformed.",
                "Give a NOMS number (a letter, four digits, two letters, e.g. A1234BC) or a CRN (a letter and six digits, e.g. X123456).");

        var scope = PduScope.Of(HubUser.From(context));
        var query = isNoms ? Rows(db).Where(r => r.Person.NomsNumber == id) : Rows(db).Where(r => r.Person.Crn == id);
        if (!scope.All) query = query.Where(r => r.Episode.PduCode != null && scope.Codes.Contains(r.Episode.PduCode.ToUpper()));
        var rows = await query.ToListAsync(ct);
        // An episode outside the caller's scope is answered as if it did not exist: a 403 would tell another
        // delivery unit that this person was released with a treatment need.
        if (rows.Count == 0)
            return ApiProblems.Status(StatusCodes.Status404NotFound, "No such person.", "No episode of this person is known within your delivery units.");

        var views = await ShowAsync(rows, db, mappings, audit, clock, "person.episodes.read", ct);
        return TypedResults.Ok(new PersonEpisodes(id, [.. views.OrderByDescending(v => v.ReleaseDate).ThenBy(v => v.EpisodeId)]));
    }

    private static async Task<IResult> CaseloadAsync(string? pdu, string? status, HttpContext context, HubDbContext db, ReferenceData mappings,
        AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var scope = PduScope.Of(HubUser.From(context));
        var problems = new List<string>();
        if (status is not null && !StatusFilters.Contains(status))
            problems.Add($"status '{Cut(status)}' is not one of {string.Join(", ", StatusFilters)}.");
        if (string.IsNullOrWhiteSpace(pdu) && !scope.All)
            problems.Add("pdu is required: name one of the delivery units in your token's pdu claim.");
        if (problems.Count > 0) return ApiProblems.Status(StatusCodes.Status400BadRequest, "The query is not valid.", string.Join(" ", problems));
        var pduCode = string.IsNullOrWhiteSpace(pdu) ? null : pdu.Trim().ToUpperInvariant();
        if (pduCode is not null && !scope.Covers(pduCode))
            return ApiProblems.Status(StatusCodes.Status403Forbidden, "Outside your delivery units.", "pdu is not in your token's pdu claim.");

        var since = LondonTime.Today(clock).AddDays(-CaseloadDays);
        var query = Rows(db).Where(r => r.Episode.ReleaseDate >= since);
        query = pduCode is not null
            ? query.Where(r => r.Episode.PduCode != null && r.Episode.PduCode.ToUpper() == pduCode)
            : scope.All ? query : query.Where(r => r.Episode.PduCode != null && scope.Codes.Contains(r.Episode.PduCode.ToUpper()));
        var rows = await query.ToListAsync(ct);

        var today = LondonTime.Today(clock);
        var now = clock.GetUtcNow();
        var selected = rows.Select(r => (Row: r, View: EpisodeStatusView.Of(r.Episode, r.Person, r.Referral, mappings, now, today)))
            .Where(x => status is null || (status == "at-risk" ? x.View.AtRisk : x.View.Outcome == status))
            .ToList();
        var views = await ShowAsync(selected.Select(x => x.Row).ToList(), db, mappings, audit, clock, "caseload.read", ct);
        // Those who most need a nudge first: still pending, nobody has accepted, fewest days left.
        var ordered = views
            .OrderBy(v => v.Outcome == "pending" ? 0 : 1)
            .ThenBy(v => v.Accepted ? 1 : 0)
            .ThenBy(v => v.DaysLeft)
            .ThenBy(v => v.ReleaseDate)
            .ThenBy(v => v.EpisodeId)
            .ToList();
        return TypedResults.Ok(new Caseload(pduCode, status, today, ordered.Count, ordered));
    }

    private static IQueryable<Row> Rows(HubDbContext db) =>
        from episode in db.Episodes.AsNoTracking()
        join person in db.People.AsNoTracking() on episode.PersonId equals person.Id
        join referral in db.Referrals.AsNoTracking() on episode.Id equals referral.EpisodeId into referrals
        from referral in referrals.DefaultIfEmpty()
        select new Row { Episode = episode, Person = person, Referral = referral };

    /// <summary>Builds the views and audits each episode shown, one entry each, saved before anything is answered.</summary>
    private static async Task<List<EpisodeStatusView>> ShowAsync(List<Row> rows, HubDbContext db, ReferenceData mappings, AuditTrail audit,
        TimeProvider clock, string action, CancellationToken ct)
    {
        var today = LondonTime.Today(clock);
        var now = clock.GetUtcNow();
        var views = rows.Select(r => EpisodeStatusView.Of(r.Episode, r.Person, r.Referral, mappings, now, today)).ToList();
        foreach (var view in views) audit.Record(action, "Episode", view.EpisodeId.ToString());
        if (views.Count > 0) await db.SaveChangesAsync(ct);
        return views;
    }

    private static string Cut(string value) => value.Length <= 40 ? value : value[..40];

    [GeneratedRegex("^[A-Z][0-9]{4}[A-Z]{2}$")] private static partial Regex NomsPattern();
    [GeneratedRegex("^[A-Z][0-9]{6}$")] private static partial Regex CrnPattern();

    /// <summary>The delivery units a caller may read: ADMIN and a <c>*</c> claim all, PROBATION its pdu claim.</summary>
    private sealed record PduScope(bool All, string[] Codes)
    {
        public static PduScope Of(HubUser user)
        {
            if (user.IsIn(HubRoles.Admin)) return new PduScope(true, []);
            var codes = user.IsIn(HubRoles.Probation) ? user.ScopeValues(HubClaims.Pdu).ToArray() : [];
            // Codes compared in capitals, as HubUser compares them without regard to case.
            return new PduScope(codes.Contains("*"), codes.Where(c => c != "*").Select(c => c.ToUpperInvariant()).ToArray());
        }

        public bool Covers(string pduCode) => All || Codes.Contains(pduCode);
    }
}
