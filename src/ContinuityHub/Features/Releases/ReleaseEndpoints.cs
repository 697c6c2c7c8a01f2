using ContinuityHub.Audit;
using System.Text.Json;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Releases;

public static class ReleaseEndpoints
{
    public static void AddReleaseIntake(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<EpisodeLedger>();
        builder.Services.AddScoped<QueuedStatements>();
        builder.Services.AddScoped<ReleaseNotificationValidator>();
        builder.Services.AddScoped<ReleaseIntakeService>();
        builder.Services.AddSingleton<IntakeGroupCommit>();
        builder.Services.AddScoped<NotificationScope>();
        builder.Services.AddScoped<IdentityConflictLog>();
        builder.Services.AddScoped<ReleaseSubmission>();
        builder.Services.AddScoped<ReleaseBatch>();
        builder.Services.AddScoped<PrisonReleases>();
        builder.Services.AddScoped<NotificationOutcomes>();
        builder.Services.AddScoped<Form.ReleaseFormDrafts>();
        builder.Services.AddScoped<Form.ReleaseForm>();
    }

    public static void MapReleaseIntake(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/releases")
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.PrisonHealthcare, HubRoles.Probation))
            .WithTags("Releases");
        group.MapPost("", ReceiveAsync)
            .WithSummary("Send one release notification")
            .Accepts<ReleaseNotificationSchema>("application/json")
            .Produces<ReleaseAccepted>(StatusCodes.Status201Created)
            .Produces<ReleaseAccepted>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{notificationId:guid}", GetAsync)
            .WithSummary("The outcome of a notification")
            .Produces<ReleaseAccepted>().ProducesProblem(StatusCodes.Status404NotFound)
            .AuditsRefusedReads("release-notification.read", "ReleaseNotification", "notificationId");
        group.MapPost("/batch", ReleaseBatchEndpoint.ReceiveAsync)
            .WithSummary("Send many releases: a CSV (docs/releases-csv.md) or a JSON array; one result a row")
            .Accepts<IReadOnlyList<ReleaseNotificationSchema>>("application/json", "text/csv")
            .Produces<BatchResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, ReleaseSubmission submission, IOptions<HubOptions> options, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType())
            return ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the notification as application/json.");
        var body = await BoundedBody.ReadAsync(context.Request, options.Value.MaxNotificationBytes, cancellationToken);
        if (body is null)
            return ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Notification too large", $"A notification may be at most {options.Value.MaxNotificationBytes / 1024} KiB.");
        if (!JsonBody.TryRead(body, out var document, out var refusal)) return ApiProblems.Unreadable(refusal!);

        using (document)
        {
            var outcome = await submission.SubmitAsync(document!.RootElement, HubUser.From(context), cancellationToken);
            return outcome switch
            {
                SubmissionOutcome.Invalid invalid => ApiProblems.Validation(invalid.Problems),
                SubmissionOutcome.Forbidden forbidden => ApiProblems.Status(StatusCodes.Status403Forbidden, "Outside your scope", forbidden.Detail),
                SubmissionOutcome.IdentityConflict conflict => ApiProblems.IdentityConflict(conflict.ConflictId),
                SubmissionOutcome.Accepted { Result: IntakeResult.Created, Body: { } created } =>
                    TypedResults.Created($"/api/v1/releases/{created.NotificationId}", created),
                SubmissionOutcome.Accepted { Result: IntakeResult.Replayed, Body: { } replayed } => TypedResults.Ok(replayed),
                _ => ApiProblems.Status(StatusCodes.Status409Conflict, "Notification id already used",
                    "This notificationId was already received with different content. Send changes under a new notificationId."),
            };
        }
    }

    /// <summary>The outcome of a notification the caller may see (their prison or delivery unit).</summary>
    private static async Task<IResult> GetAsync(Guid notificationId, HttpContext context, HubDbContext db, CancellationToken cancellationToken)
    {
        var stored = await db.ReleaseNotifications.AsNoTracking().SingleOrDefaultAsync(n => n.NotificationId == notificationId, cancellationToken);
        var episode = stored is null ? null : await db.Episodes.AsNoTracking().SingleAsync(e => e.Id == stored.EpisodeId, cancellationToken);
        if (stored is null || episode is null || !MaySee(HubUser.From(context), episode))
            return ApiProblems.Status(StatusCodes.Status404NotFound, "Not found", "No notification with this id that you may see.");
        return TypedResults.Ok(ReleaseAccepted.From(stored));
    }

    /// <summary>
    /// Who may read a notification's outcome: whoever may see its episode by the one rule of every read path
    /// (<see cref="CallerScope"/>): its prison's team, probation for its delivery unit. No referral is passed: a
    /// notification is the sender's, not the provider's.
    /// </summary>
    public static bool MaySee(HubUser user, Domain.Episode episode) => CallerScope.Of(user).MaySee(episode, referral: null);
}
