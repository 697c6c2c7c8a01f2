using ContinuityHub.Audit;
using ContinuityHub.Errors;
using ContinuityHub.Features.Releases;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;

namespace ContinuityHub.Features.People;

/// <summary>
/// People's status for probation (contract §7 last line, issue #5 item 4): a person's episodes, and a
/// delivery unit's caseload filtered by where each person stands. Only episodes the caller may see
/// (<see cref="CallerScope"/>: PROBATION those whose PDU is in its <c>pdu</c> claim, <c>*</c> = all; ADMIN all).
/// Every episode shown is audited.
/// </summary>
public static class PeopleEndpoints
{
    public static void AddPeople(this WebApplicationBuilder builder) => builder.Services.AddScoped<PeopleStatus>();

    /// <summary>The caseload is paged (<c>page</c> from 1, <c>limit</c> up to <see cref="MaxCaseloadLimit"/>): a <c>*</c> caller would otherwise get every delivery unit's episodes at once.</summary>
    public const int DefaultCaseloadLimit = 100;
    public const int MaxCaseloadLimit = 500;

    public static void MapPeople(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1")
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Probation, HubRoles.Admin))
            .WithTags("People");
        group.MapGet("/people/{personId}/episodes", PersonEpisodesAsync)
            .WithSummary("A person's release episodes, by NOMS number or CRN")
            .Produces<PersonEpisodes>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .AuditsRefusedReads("person.episodes.read", "Person", "personId");
        group.MapGet("/caseload", CaseloadAsync)
            .WithSummary("A delivery unit's releases of the last 90 days, one page at a time (page, limit ≤ 500)")
            .Produces<Caseload>().ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> PersonEpisodesAsync(string personId, HttpContext context, PeopleStatus people, CancellationToken ct)
    {
        var id = personId.Trim().ToUpperInvariant();
        var isNoms = Identifiers.IsNomsNumber(id);
        if (!isNoms && !Identifiers.IsCrn(id))
            return ApiProblems.Status(StatusCodes.Status400BadRequest, "The person id is malformed.",
                "Give a NOMS number (a letter, four digits, two letters, e.g. A1234BC) or a CRN (a letter and six digits, e.g. X123456).");

        var entries = await people.EpisodesAsync(CallerScope.Of(HubUser.From(context)),
            rows => isNoms ? rows.Where(r => r.Person.NomsNumber == id) : rows.Where(r => r.Person.Crn == id), ct);
        // An episode outside the caller's scope is answered as if it did not exist: a 403 would tell another
        // delivery unit that this person was released with a treatment need.
        if (entries.Count == 0)
            return ApiProblems.Status(StatusCodes.Status404NotFound, "No such person.", "No episode of this person is known within your delivery units.");

        var views = entries.Select(e => e.View).ToList();
        await people.AuditShownAsync(views, "person.episodes.read", ct);
        return TypedResults.Ok(new PersonEpisodes(id, views));
    }

    private static async Task<IResult> CaseloadAsync(string? pdu, string? status, string? page, string? limit, HttpContext context, PeopleStatus people,
        TimeProvider clock, CancellationToken ct)
    {
        var scope = CallerScope.Of(HubUser.From(context));
        var problems = new List<string>();
        var pageNumber = 1;
        var take = DefaultCaseloadLimit;
        if (page is not null && (!int.TryParse(page, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageNumber) || pageNumber < 1))
            problems.Add("page must be a whole number from 1.");
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxCaseloadLimit))
            problems.Add($"limit must be a whole number from 1 to {MaxCaseloadLimit}.");
        if (status is not null && !PeopleStatus.StatusFilters.Contains(status))
            problems.Add($"status '{Cut(status)}' is not one of {string.Join(", ", PeopleStatus.StatusFilters)}.");
        if (string.IsNullOrWhiteSpace(pdu) && !scope.AllPdus)
            problems.Add("pdu is required: name one of the delivery units in your token's pdu claim.");
        if (problems.Count > 0) return ApiProblems.Status(StatusCodes.Status400BadRequest, "The query is not valid.", string.Join(" ", problems));
        var pduCode = string.IsNullOrWhiteSpace(pdu) ? null : pdu.Trim().ToUpperInvariant();
        if (pduCode is not null && !scope.CoversPdu(pduCode))
            return ApiProblems.Status(StatusCodes.Status403Forbidden, "Outside your delivery units.", "pdu is not in your token's pdu claim.");

        var caseload = await people.CaseloadAsync(scope, pduCode, status, (long)(pageNumber - 1) * take, take, ct);
        var views = caseload.Entries.Select(e => e.View).ToList();
        // Only the page answered is shown, so only its episodes are audited.
        await people.AuditShownAsync(views, "caseload.read", ct);
        return TypedResults.Ok(new Caseload(pduCode, status, LondonTime.Today(clock), caseload.Total, pageNumber, take, (long)pageNumber * take < caseload.Total, views));
    }

    private static string Cut(string value) => value.Length <= 40 ? value : value[..40];
}
