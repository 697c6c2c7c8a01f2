using ContinuityHub.Errors;
using ContinuityHub.Features.Releases;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Events;

public static class HmppsEventEndpoints
{
    public static void AddHmppsEvents(this WebApplicationBuilder builder) => builder.Services.AddScoped<HmppsEventService>();

    public static void MapHmppsEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/events/hmpps", ReceiveAsync)
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.EventFeed))
            .WithTags("Events")
            .WithSummary("Post an HMPPS domain event (raw, or in its SNS envelope)")
            .Accepts<HmppsEventSchema>("application/json", "text/plain")
            .Produces<EventReceipt>(StatusCodes.Status200OK)
            .Produces<EventReceipt>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>
    /// Known types answer 200 with what was done; any other type 202 (recorded, ignored), so a feed is
    /// never blocked by a type the hub does not know.
    /// </summary>
    private static async Task<IResult> ReceiveAsync(HttpContext context, HmppsEventService events, IOptions<HubOptions> options, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType() && context.Request.ContentType?.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) != true)
            return ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the event as application/json.");
        var body = await BoundedBody.ReadAsync(context.Request, options.Value.MaxNotificationBytes, cancellationToken);
        if (body is null)
            return ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Event too large", $"An event may be at most {options.Value.MaxNotificationBytes / 1024} KiB.");
        if (!ReleaseEndpoints.TryParse(body, out var document, out var syntaxProblem))
            return ApiProblems.Validation([syntaxProblem!], StatusCodes.Status400BadRequest);
        using (document)
        {
            var (message, problems) = HmppsEventMessage.Parse(document!.RootElement);
            if (message is null) return ApiProblems.Validation(problems);
            var receipt = await events.ReceiveAsync(message, cancellationToken);
            return HmppsEventTypes.IsKnown(message.EventType) ? TypedResults.Ok(receipt) : TypedResults.Accepted((string?)null, receipt);
        }
    }
}
