using ContinuityHub.Data;
using ContinuityHub.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.FollowUps;

/// <summary>One follow-up as ADMIN sees it: ids, checkpoint, times, state and last error; no personal data.</summary>
public sealed record FollowUpListItem(Guid Id, Guid EpisodeId, string Checkpoint, DateTimeOffset DueAt, DateTimeOffset FireAt,
    string State, int Attempts, string? LastError, DateTimeOffset? RanAt, string? Outcome, bool Overdue);

public sealed record FollowUpList(string Status, int Count, IReadOnlyList<FollowUpListItem> FollowUps);

/// <summary>Issue #4 item 6: <c>GET /api/v1/followups?status=due|failed|done</c> for ADMIN (and the job dashboard, issue #14).</summary>
public static class FollowUpEndpoints
{
    public static readonly IReadOnlyList<string> Statuses = ["due", "failed", "done", "skipped", "cancelled"];
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static void MapFollowUps(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/followups")
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Admin))
            .WithTags("Follow-ups")
            .MapGet("", ListAsync)
            .WithSummary("The follow-up jobs: due ones next first, or recent ones by state")
            .Produces<FollowUpList>().ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapFollowUpDashboard();
    }

    private static async Task<IResult> ListAsync(string? status, string? limit, HubDbContext db, Microsoft.Extensions.Options.IOptions<Hosting.HubOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var problems = new List<(string Parameter, string Detail)>();
        status ??= "due";
        if (!Statuses.Contains(status)) problems.Add(("status", $"must be one of {string.Join(", ", Statuses)}."));
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out take) || take < 1 || take > MaxLimit))
            problems.Add(("limit", $"must be a whole number from 1 to {MaxLimit}."));
        if (problems.Count > 0)
            return TypedResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Type = "https://continuityhub.example.org/problems/invalid-query",
                Title = "The query is not valid.",
                Detail = string.Join(" ", problems.Select(p => $"{p.Parameter} {p.Detail}")),
                Extensions = { ["errors"] = problems.Select(p => new { parameter = p.Parameter, detail = p.Detail }).ToList() },
            });

        var rows = db.Set<FollowUp>().AsNoTracking();
        rows = status switch
        {
            // Scheduled and not yet run, next due first.
            "due" => rows.Where(f => f.State == FollowUpStates.Scheduled).OrderBy(f => f.DueAt).ThenBy(f => f.Id),
            // The others: most recent first.
            _ => rows.Where(f => f.State == status).OrderByDescending(f => f.UpdatedAt).ThenBy(f => f.Id),
        };
        var overdueBefore = clock.GetUtcNow() - options.Value.FollowUps.OverdueAfter;
        var items = await rows.Take(take)
            .Select(f => new FollowUpListItem(f.Id, f.EpisodeId, f.Checkpoint, f.DueAt, f.FireAt, f.State, f.Attempts, f.LastError,
                f.RanAt, f.Outcome, f.State == FollowUpStates.Scheduled && f.DueAt < overdueBefore))
            .ToListAsync(ct);
        return TypedResults.Ok(new FollowUpList(status, items.Count, items));
    }
}
