using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Admin;

/// <summary>One audit entry: who (subject and roles), what, which record, when, the request's correlation id, and whether it was refused.</summary>
public sealed record AuditEntryView(long Id, DateTimeOffset OccurredAt, string User, string Roles, string Action, string ResourceType,
    string ResourceId, string? CorrelationId, bool Refused);

/// <summary>The answer of <c>GET /api/v1/audit</c>: one page, newest first, and how many entries match in all.</summary>
public sealed record AuditPage(int Page, int PageSize, int Total, IReadOnlyList<AuditEntryView> Entries);

/// <summary>
/// <c>GET /api/v1/audit</c> (ADMIN): the audit trail, filtered by person (their record, episodes and referrals),
/// episode (and its referral), user, time range and refusals; paged. Reading it is audited too.
/// </summary>
public static class AuditEndpoints
{
    private static readonly string[] Parameters = ["person", "episode", "user", "from", "to", "refused"];

    public static void MapAudit(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/audit", ListAsync)
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Admin))
            .WithTags("Admin")
            .WithSummary("The audit trail: who read or changed which record, when (ADMIN)")
            .Produces<AuditPage>().ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> ListAsync(HttpContext context, HubDbContext db, AuditTrail audit, CancellationToken ct)
    {
        var query = new AdminQuery(context.Request.Query, Parameters);
        var person = query.Id("person");
        var episode = query.Id("episode");
        var user = query.Text("user", 200);
        var from = query.Instant("from");
        var to = query.Instant("to");
        var refused = query.Flag("refused");
        var (page, pageSize) = query.Paging();
        if (from is not null && to is not null && from > to) query.Problems.Add(("to", "must not be before from."));
        if (query.Problems.Count > 0) return ApiProblems.InvalidQuery(query.Problems);

        var entries = db.AuditLog.AsNoTracking();
        if (person is { } personId) entries = About(entries, await RecordIdsOfPersonAsync(db, personId, ct));
        if (episode is { } episodeId) entries = About(entries, await RecordIdsOfEpisodeAsync(db, episodeId, ct));
        if (user is not null) entries = entries.Where(a => a.ActorSubject == user);
        if (from is not null) entries = entries.Where(a => a.OccurredAt >= from);
        if (to is not null) entries = entries.Where(a => a.OccurredAt < to);
        if (refused is not null) entries = entries.Where(a => a.Refused == refused);

        var total = await entries.CountAsync(ct);
        var rows = await entries.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(a => new AuditEntryView(a.Id, a.OccurredAt, a.ActorSubject, a.ActorRoles, a.Action, a.ResourceType, a.ResourceId, a.CorrelationId, a.Refused))
            .ToListAsync(ct);

        audit.Record("audit.read", "AuditLog", (person ?? episode)?.ToString() ?? "*");
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new AuditPage(page, pageSize, total, rows));
    }

    /// <summary>
    /// Entries about any of <paramref name="ids"/>: the record itself, or a version of it (a provider push is
    /// audited as <c>{referralId}/v{version}</c>).
    /// </summary>
    private static IQueryable<AuditEntry> About(IQueryable<AuditEntry> entries, string[] ids) =>
        entries.Where(a => ids.Contains(a.ResourceId) || (a.ResourceId.Length > 36 && ids.Contains(a.ResourceId.Substring(0, 36))));

    private static async Task<string[]> RecordIdsOfPersonAsync(HubDbContext db, Guid personId, CancellationToken ct)
    {
        var episodes = await db.Episodes.AsNoTracking().Where(e => e.PersonId == personId).Select(e => e.Id).ToListAsync(ct);
        var referrals = await db.Referrals.AsNoTracking().Where(r => episodes.Contains(r.EpisodeId)).Select(r => r.Id).ToListAsync(ct);
        return [personId.ToString(), .. episodes.Select(e => e.ToString()), .. referrals.Select(r => r.ToString())];
    }

    private static async Task<string[]> RecordIdsOfEpisodeAsync(HubDbContext db, Guid episodeId, CancellationToken ct)
    {
        var referrals = await db.Referrals.AsNoTracking().Where(r => r.EpisodeId == episodeId).Select(r => r.Id).ToListAsync(ct);
        return [episodeId.ToString(), .. referrals.Select(r => r.ToString())];
    }
}
