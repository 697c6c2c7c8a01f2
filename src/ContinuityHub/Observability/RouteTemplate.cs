using Microsoft.AspNetCore.Diagnostics;

namespace ContinuityHub.Observability;

/// <summary>
/// The route template a request matched (e.g. <c>/api/v1/people/{nomsOrCrn}/episodes</c>): what logs name
/// instead of the raw path or query string, which can carry NOMS and NHS numbers.
/// </summary>
public static class RouteTemplate
{
    public const string Unmatched = "(no route)";

    public static string Of(HttpContext context)
    {
        // The exception handler clears the endpoint before it re-executes; the feature keeps the one that failed.
        var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        return (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? Unmatched;
    }
}
