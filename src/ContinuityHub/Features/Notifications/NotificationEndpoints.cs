using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// The outbox as the people who depend on it see it (contract §6: with no Notify configured, messages stay in
/// the outbox and are visible). ADMIN sees every message; PRISON_HEALTHCARE those about episodes of its
/// prisons, TREATMENT_PROVIDER of its ODS code, PROBATION of its delivery units — scoped through the episode.
/// Only delivery facts are shown (no names, dates of birth or NHS numbers, no personalisation); each episode
/// whose messages are shown is audited.
/// </summary>
public static class NotificationEndpoints
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 1000;

    public sealed record QueuedEmailView(
        string Reference, string TemplateKey, string RecipientRole, string? EmailAddress, string State, int Attempts,
        string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, Guid EpisodeId);

    public static void MapNotifications(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/v1/notifications")
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Admin, HubRoles.PrisonHealthcare, HubRoles.TreatmentProvider, HubRoles.Probation))
            .WithTags("Notifications")
            .MapGet("", ListAsync);

    private static async Task<IResult> ListAsync(string? state, string? episodeId, string? limit, HttpContext context, HubDbContext db,
        AuditTrail audit, IOptions<NotifyOptions> notify, CancellationToken ct)
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
        if (problems.Count > 0) return BadQuery(problems);

        var query = Scoped(db, HubUser.From(context));
        if (state is not null) query = query.Where(e => e.State == state);
        if (episode is { } id) query = query.Where(e => e.EpisodeId == id);
        var rows = await query.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Id).Take(take)
            .Select(e => new QueuedEmailView(e.Reference, e.TemplateKey, e.RecipientRole, e.EmailAddress, e.State, e.Attempts,
                e.LastError, e.CreatedAt, e.SentAt, e.State == QueuedEmailStates.Pending ? e.NextAttemptAt : null, e.EpisodeId))
            .ToListAsync(ct);

        // Which messages went (or did not go) out about a person's episode is part of their record: audited, saved before answering.
        foreach (var audited in rows.Select(r => r.EpisodeId).Distinct()) audit.Record("notifications.read", "Episode", audited.ToString());
        if (rows.Count > 0) await db.SaveChangesAsync(ct);

        return TypedResults.Ok(new
        {
            notifyConfigured = notify.Value.Configured,
            count = rows.Count,
            notifications = rows,
        });
    }

    /// <summary>The rows the caller may see: ADMIN all; otherwise the union of what each of its roles covers.</summary>
    private static IQueryable<QueuedEmail> Scoped(HubDbContext db, HubUser user)
    {
        var emails = db.Set<QueuedEmail>().AsNoTracking();
        if (user.IsIn(HubRoles.Admin)) return emails;

        var prisons = user.IsIn(HubRoles.PrisonHealthcare) ? Codes(user, HubClaims.Prisons) : [];
        var ods = user.IsIn(HubRoles.TreatmentProvider) ? Codes(user, HubClaims.Ods) : [];
        var pdus = user.IsIn(HubRoles.Probation) ? Codes(user, HubClaims.Pdu) : [];
        var allPrisons = prisons.Contains("*");
        var allPdus = pdus.Contains("*");
        return from email in emails
               join ep in db.Episodes.AsNoTracking() on email.EpisodeId equals ep.Id
               where (allPrisons || (ep.PrisonCode != null && prisons.Contains(ep.PrisonCode.ToUpper())))
                     || (ep.ProviderOds != null && ods.Contains(ep.ProviderOds.ToUpper()))
                     || (allPdus || (ep.PduCode != null && pdus.Contains(ep.PduCode.ToUpper())))
               select email;
    }

    /// <summary>A scope claim's codes in capitals (HubUser compares them without regard to case).</summary>
    private static string[] Codes(HubUser user, string claim) => user.ScopeValues(claim).Select(c => c.ToUpperInvariant()).ToArray();

    private static IResult BadQuery(List<(string Parameter, string Detail)> problems) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Type = "https://continuityhub.example.org/problems/invalid-query",
            Title = "The query is not valid.",
            Detail = string.Join(" ", problems.Select(p => p.Detail)),
            Extensions = { ["errors"] = problems.Select(p => new { parameter = p.Parameter, detail = p.Detail }).ToList() },
        });
}
