using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Events;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Admin;

/// <summary>One list of the data-quality report: how many in all, and the requested page of them.</summary>
public sealed record DataQualitySection<T>(int Count, IReadOnlyList<T> Items);

public sealed record IdentityConflictItem(Guid ConflictId, DateTimeOffset OccurredAt, string Channel, string Reason, string? DisagreeingFields,
    Guid? PersonId, Guid? EpisodeId, Guid? NotificationId, Guid? EventId, string User, string? CorrelationId);

public sealed record UnconfirmedReleaseItem(Guid EpisodeId, string? PrisonCode, DateOnly ReleaseDate, int DaysSinceRelease, string Status);

public sealed record UnmatchedEventItem(Guid EventId, string EventType, DateTimeOffset? OccurredAt, string Outcome, Guid? EpisodeId);

public sealed record EpisodeWithoutNhsNumberItem(Guid EpisodeId, Guid PersonId, string? PrisonCode, DateOnly ReleaseDate, string Status);

/// <summary>The answer of <c>GET /api/v1/data-quality</c>: every list, each with its count and the same page.</summary>
public sealed record DataQualityReport(int Page, int PageSize,
    DataQualitySection<IdentityConflictItem> IdentityConflicts,
    DataQualitySection<ParkedEvent> ParkedEvents,
    DataQualitySection<UnconfirmedReleaseItem> UnconfirmedReleases,
    DataQualitySection<UnmatchedEventItem> UnmatchedEvents,
    DataQualitySection<EpisodeWithoutNhsNumberItem> EpisodesWithoutNhsNumber);

/// <summary>
/// <c>GET /api/v1/data-quality</c> (ADMIN): what needs a person to look at it — identity conflicts (messages refused
/// as cross-scope takeovers), parked events with their error, releases whose date has passed but that no event or released
/// notification ever confirmed, HMPPS events that matched no notification, and episodes without an NHS number.
/// Ids, codes, dates and states only; paged; reading it is audited.
/// </summary>
public static class DataQualityEndpoints
{
    public static void MapDataQuality(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/data-quality", ReportAsync)
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Admin))
            .WithTags("Admin")
            .WithSummary("Identity conflicts, parked events, unconfirmed releases, unmatched events, episodes without an NHS number (ADMIN)")
            .Produces<DataQualityReport>().ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> ReportAsync(HttpContext context, HubDbContext db, AuditTrail audit, TimeProvider clock, CancellationToken ct)
    {
        var query = new AdminQuery(context.Request.Query, []);
        var (page, pageSize) = query.Paging();
        if (query.Problems.Count > 0) return ApiProblems.InvalidQuery(query.Problems);
        var skip = (page - 1) * pageSize;
        var today = LondonTime.Today(clock);

        var conflicts = db.Set<IdentityConflict>().AsNoTracking();
        var identityConflicts = new DataQualitySection<IdentityConflictItem>(await conflicts.CountAsync(ct),
            await conflicts.OrderByDescending(c => c.OccurredAt).ThenBy(c => c.Id).Skip(skip).Take(pageSize)
                .Select(c => new IdentityConflictItem(c.Id, c.OccurredAt, c.Channel, c.Reason, c.DisagreeingFields, c.PersonId, c.EpisodeId,
                    c.NotificationId, c.EventId, c.ActorSubject, c.CorrelationId))
                .ToListAsync(ct));

        // Events that failed HmppsEventService.MaxAttempts times, with their error (exception types and SQLSTATE, never the event's data).
        var parked = ParkedEvents.Query(db);
        var parkedEvents = new DataQualitySection<ParkedEvent>(await parked.CountAsync(ct), await parked.Skip(skip).Take(pageSize).ToListAsync(ct));

        var unconfirmed = db.Episodes.AsNoTracking()
            .Where(e => e.ReleaseDateSource == ReleaseDateSources.PlannedNotification && e.ReleaseDate < today && e.Status != EpisodeStatus.Excluded);
        var unconfirmedReleases = new DataQualitySection<UnconfirmedReleaseItem>(await unconfirmed.CountAsync(ct),
            (await unconfirmed.OrderBy(e => e.ReleaseDate).ThenBy(e => e.Id).Skip(skip).Take(pageSize)
                .Select(e => new { e.Id, e.PrisonCode, e.ReleaseDate, e.Status }).ToListAsync(ct))
                .Select(e => new UnconfirmedReleaseItem(e.Id, e.PrisonCode, e.ReleaseDate, today.DayNumber - e.ReleaseDate.DayNumber, e.Status)).ToList());

        // A release or admission the feed reported that no prison or probation notification ever described.
        var episodes = db.Episodes;
        var unmatched = db.HmppsEvents.AsNoTracking()
            .Where(ev => ev.Outcome == EventOutcomes.ReceivedNoOpenEpisode
                         || (ev.EpisodeId != null && episodes.Any(e => e.Id == ev.EpisodeId && !e.NeedKnown)));
        var unmatchedEvents = new DataQualitySection<UnmatchedEventItem>(await unmatched.CountAsync(ct),
            await unmatched.OrderByDescending(ev => ev.ReceivedAt).ThenBy(ev => ev.Id).Skip(skip).Take(pageSize)
                .Select(ev => new UnmatchedEventItem(ev.Id, ev.EventType, ev.OccurredAt, ev.Outcome, ev.EpisodeId)).ToListAsync(ct));

        var withoutNhs = db.Episodes.AsNoTracking().Where(e => e.Person!.NhsNumber == null);
        var episodesWithoutNhsNumber = new DataQualitySection<EpisodeWithoutNhsNumberItem>(await withoutNhs.CountAsync(ct),
            await withoutNhs.OrderByDescending(e => e.ReleaseDate).ThenBy(e => e.Id).Skip(skip).Take(pageSize)
                .Select(e => new EpisodeWithoutNhsNumberItem(e.Id, e.PersonId, e.PrisonCode, e.ReleaseDate, e.Status)).ToListAsync(ct));

        audit.Record("data-quality.read", "DataQuality", "*");
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new DataQualityReport(page, pageSize, identityConflicts, parkedEvents, unconfirmedReleases, unmatchedEvents, episodesWithoutNhsNumber));
    }
}
