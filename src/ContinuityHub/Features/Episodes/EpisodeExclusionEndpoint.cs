using System.Text.Json;
using ContinuityHub.Errors;
using ContinuityHub.Features.Releases;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;

namespace ContinuityHub.Features.Episodes;

/// <summary>
/// <c>POST /api/v1/episodes/{id}/exclusion</c> (contract §5): <c>{reason: died | returnedToCustody | removedFromUk | hospital, date}</c>.
/// 200 with where the episode stands (also for a repeat, and when §7 keeps the exclusion out); 400 for a body
/// that is not a JSON object, 422 naming every problem with the values; 403 outside the caller's scope, 404
/// for an unknown episode — as the referral actions answer. Nothing is written unless it is 200.
/// </summary>
public static class EpisodeExclusionEndpoint
{
    private const int MaxBodyBytes = 16 * 1024;

    public static void AddEpisodeExclusion(this WebApplicationBuilder builder) => builder.Services.AddScoped<EpisodeExclusionActions>();

    public static void MapEpisodeExclusion(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/episodes/{episodeId:guid}/exclusion", RecordAsync)
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Probation, HubRoles.TreatmentProvider, HubRoles.Admin))
            .WithTags("Episodes")
            .WithSummary("Record a death, return to custody, removal from the UK or release to hospital that no feed reports")
            .Accepts<ExclusionRequest>("application/json")
            .Produces<ExclusionState>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static async Task<IResult> RecordAsync(Guid episodeId, HttpContext context, EpisodeExclusionActions actions, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType())
            return ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the exclusion as application/json.");
        var body = await BoundedBody.ReadAsync(context.Request, MaxBodyBytes, cancellationToken);
        if (body is null)
            return ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body may be at most {MaxBodyBytes / 1024} KiB.");
        if (!JsonBody.TryRead(body, out var document, out var refusal)) return ApiProblems.Unreadable(refusal!);
        using (document)
        {
            var root = document!.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return ApiProblems.Validation([new FieldProblem("", "must be a JSON object: {\"reason\": …, \"date\": \"yyyy-MM-dd\"}.")], StatusCodes.Status400BadRequest);
            var read = new JsonFieldReader();
            var input = new ExclusionInput(read.String(root, "reason", "/reason", required: true, maxLength: 40), read.Date(root, "date", "/date", required: true),
                read.Problems);
            return await actions.RecordAsync(episodeId, input, HubUser.From(context), cancellationToken) switch
            {
                ExclusionOutcome.Recorded recorded => TypedResults.Ok(recorded.State),
                ExclusionOutcome.Invalid invalid => ApiProblems.Validation(invalid.Problems),
                ExclusionOutcome.Forbidden forbidden => ApiProblems.Status(StatusCodes.Status403Forbidden, "Outside your scope", forbidden.Detail),
                _ => ApiProblems.Status(StatusCodes.Status404NotFound, "Not found", "No episode with this id."),
            };
        }
    }
}
