using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Notifications;

/// <summary>One outbox row as users see it: delivery facts only, never the personalisation or anything about the person.</summary>
public sealed record QueuedEmailView(
    string Reference, string TemplateKey, string RecipientRole, string? EmailAddress, string State, int Attempts,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, Guid EpisodeId);

/// <summary>Which rows to list: a state, an episode, how many (newest first).</summary>
/// <summary>The answer of <c>GET /api/v1/notifications</c>.</summary>
public sealed record NotificationList(bool NotifyConfigured, int Count, IReadOnlyList<QueuedEmailView> Notifications);

public sealed record NotificationFilter(string? State, Guid? EpisodeId, int Limit)
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 1000;

    /// <summary>The filter from query values, or the problems with them, each naming its parameter.</summary>
    public static (NotificationFilter? Filter, List<(string Parameter, string Detail)> Problems) Parse(string? state, string? episodeId, string? limit)
    {
        var problems = new List<(string Parameter, string Detail)>();
        if (state is not null && !QueuedEmailStates.All.Contains(state))
            problems.Add(("state", $"state must be one of {string.Join(", ", QueuedEmailStates.All)}."));
        Guid? episode = null;
        if (episodeId is not null)
        {
            if (Guid.TryParse(episodeId, out var parsed)) episode = parsed;
            else problems.Add(("episodeId", "episodeId must be an episode id (a UUID)."));
        }
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out take) || take is < 1 or > MaxLimit))
            problems.Add(("limit", $"limit must be a whole number from 1 to {MaxLimit}."));
        return (problems.Count == 0 ? new NotificationFilter(state, episode, take) : null, problems);
    }
}

/// <summary>
/// The outbox as one user may see it, for the JSON endpoint and the page alike: the messages about the episodes
/// <see cref="CallerScope"/> lets the caller see (ADMIN all; a provider only those it is referred and the person
/// consents to sharing with it). Each episode whose
/// messages are shown is audited, saved before anything is answered.
/// </summary>
public sealed class NotificationListing(HubDbContext db, AuditTrail audit)
{
    public async Task<List<QueuedEmailView>> ListAsync(HubUser user, NotificationFilter filter, CancellationToken ct)
    {
        var query = Scoped(user);
        if (filter.State is not null) query = query.Where(e => e.State == filter.State);
        if (filter.EpisodeId is { } id) query = query.Where(e => e.EpisodeId == id);
        var rows = await query.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Id).Take(filter.Limit)
            .Select(e => new QueuedEmailView(e.Reference, e.TemplateKey, e.RecipientRole, e.EmailAddress, e.State, e.Attempts,
                e.LastError, e.CreatedAt, e.SentAt, e.State == QueuedEmailStates.Pending ? e.NextAttemptAt : null, e.EpisodeId))
            .ToListAsync(ct);

        // Which messages went (or did not go) out about a person's episode is part of their record.
        foreach (var episode in rows.Select(r => r.EpisodeId).Distinct()) audit.Record("notifications.read", "Episode", episode.ToString());
        if (rows.Count > 0) await db.SaveChangesAsync(ct);
        return rows;
    }

    /// <summary>Rows about the episodes the caller may see (<see cref="CallerScope"/>: a provider only while the person consents).</summary>
    private IQueryable<QueuedEmail> Scoped(HubUser user)
    {
        var emails = db.Set<QueuedEmail>().AsNoTracking();
        var scope = CallerScope.Of(user);
        if (scope.IsAdmin) return emails;
        var visible = scope.Episodes(db);
        return emails.Where(email => visible.Any(e => e.Id == email.EpisodeId));
    }
}
