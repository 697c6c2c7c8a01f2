using ContinuityHub.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// The outbox as the people who depend on it see it (contract §6: with no Notify configured, messages stay in
/// the outbox and are visible): <c>GET /api/v1/notifications</c> (bearer token, JSON) and the page
/// <c>/notifications</c> (the UI's cookie session, <c>Pages/Notifications</c>), both through <see cref="NotificationListing"/>.
/// </summary>
public static class NotificationEndpoints
{
    public const string PagePath = "/notifications";

    public const string Readers = HubRoles.Admin + "," + HubRoles.PrisonHealthcare + "," + HubRoles.TreatmentProvider + "," + HubRoles.Probation;

    public static void MapNotifications(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/notifications", ListAsync)
            .RequireAuthorization(policy => policy.RequireRole(Readers.Split(',')))
            .WithTags("Notifications")
            .WithSummary("The email outbox, within the caller's scope")
            .Produces<NotificationList>().ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<IResult> ListAsync(string? state, string? episodeId, string? limit, HttpContext context,
        NotificationListing listing, IOptions<NotifyOptions> notify, CancellationToken ct)
    {
        var (filter, problems) = NotificationFilter.Parse(state, episodeId, limit);
        if (filter is null) return BadQuery(problems);
        var rows = await listing.ListAsync(HubUser.From(context), filter, ct);
        return TypedResults.Ok(new NotificationList(notify.Value.Configured, rows.Count, rows));
    }

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
