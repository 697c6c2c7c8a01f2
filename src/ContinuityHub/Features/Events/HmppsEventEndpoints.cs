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
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/api/v1/events/parked", ParkedEvents.ListAsync)
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.Admin))
            .WithTags("Events")
            .WithSummary("Events parked after 3 failed attempts, with their error (ADMIN)")
            .Produces<ParkedEventList>().ProducesProblem(StatusCodes.Status400BadRequest);
    }

    /// <summary>
    /// Known types answer 200 with what was done; any other type 202 (recorded, ignored), so a feed is
    /// never blocked by a type the hub does not know. An event whose processing failed answers 503 with
    /// Retry-After (deliver it again) until it is parked; a parked event answers 202 "parked" from then on,
    /// so the feed lets it go (docs/decisions.md, "Parked events").
    /// </summary>
    private static async Task<IResult> ReceiveAsync(HttpContext context, HmppsEventService events, IOptions<HubOptions> options, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType() && context.Request.ContentType?.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) != true)
            return ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the event as application/json.");
        var body = await BoundedBody.ReadAsync(context.Request, options.Value.MaxNotificationBytes, cancellationToken);
        if (body is null)
            return ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Event too large", $"An event may be at most {options.Value.MaxNotificationBytes / 1024} KiB.");
        if (!JsonBody.TryRead(body, out var document, out var refusal)) return ApiProblems.Unreadable(refusal!);
        using (document)
        {
            var (message, problems) = HmppsEventMessage.Parse(document!.RootElement);
            if (message is null) return ApiProblems.Validation(problems);
            var receipt = await events.ReceiveAsync(message, cancellationToken);
            if (receipt.Outcome == EventOutcomes.Failed)
            {
                context.Response.Headers.RetryAfter = DatabaseUnavailable.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ApiProblems.Status(StatusCodes.Status503ServiceUnavailable, "The event could not be processed.",
                    $"The event is stored; send it again. After {HmppsEventService.MaxAttempts} failed attempts it is parked for an administrator. Event id: {receipt.EventId}.");
            }
            return HmppsEventTypes.IsKnown(message.EventType) && receipt.Outcome != EventOutcomes.Parked
                ? TypedResults.Ok(receipt)
                : TypedResults.Accepted((string?)null, receipt);
        }
    }
}
