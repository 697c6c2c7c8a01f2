using System.Globalization;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Events;

/// <summary>A parked event as ADMIN sees it: ids, type, times and the error; no personal data (the payload stays in the database).</summary>
public sealed record ParkedEvent(Guid EventId, string EventType, string? MessageId, DateTimeOffset? OccurredAt, DateTimeOffset ReceivedAt,
    int Attempts, DateTimeOffset ParkedAt, string? Error);

public sealed record ParkedEventList(int Total, int Count, IReadOnlyList<ParkedEvent> Events);

/// <summary><c>GET /api/v1/events/parked?limit=</c> (ADMIN): events that failed <see cref="HmppsEventService.MaxAttempts"/> times, newest first.</summary>
public static class ParkedEvents
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static async Task<IResult> ListAsync(string? limit, HubDbContext db, CancellationToken ct)
    {
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
            return ApiProblems.Status(StatusCodes.Status400BadRequest, "The query is not valid.", $"limit must be a whole number from 1 to {MaxLimit}.");
        var parked = Query(db);
        var total = await parked.CountAsync(ct);
        var events = await parked.Take(take).ToListAsync(ct);
        return TypedResults.Ok(new ParkedEventList(total, events.Count, events));
    }

    /// <summary>Every parked event, newest first, as ADMIN sees it: shared by this list and the data-quality report.</summary>
    public static IQueryable<ParkedEvent> Query(HubDbContext db) =>
        db.HmppsEvents.AsNoTracking().Where(e => e.ParkedAt != null)
            .OrderByDescending(e => e.ParkedAt).ThenBy(e => e.Id)
            .Select(e => new ParkedEvent(e.Id, e.EventType, e.MessageId, e.OccurredAt, e.ReceivedAt, e.Attempts, e.ParkedAt!.Value, e.OutcomeDetail));
}
