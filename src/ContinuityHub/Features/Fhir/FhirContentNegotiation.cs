using Microsoft.Net.Http.Headers;

namespace ContinuityHub.Features.Fhir;

/// <summary>
/// The hub speaks FHIR JSON only. A request whose Accept header admits neither application/fhir+json nor
/// application/json (<c>application/fhir+xml</c>, say) gets 406, and a body sent as anything but those two
/// gets 415, both as OperationOutcome. No Accept header, <c>*/*</c> and <c>application/*</c> are served JSON.
/// </summary>
public sealed class FhirContentNegotiation : IEndpointFilter
{
    private static readonly string[] Served = [FhirJson.MediaType, "application/json"];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!AcceptsJson(request))
            return FhirReadEndpoints.Refusal(StatusCodes.Status406NotAcceptable, "not-supported",
                $"This server answers in {FhirJson.MediaType} only (Accept admits neither it nor application/json).");
        if (HasBody(request) && !IsJson(request.ContentType))
            return FhirReadEndpoints.Refusal(StatusCodes.Status415UnsupportedMediaType, "not-supported",
                $"Send the resource as {FhirJson.MediaType} (Content-Type), the only format this server reads.");
        return await next(context);
    }

    private static bool AcceptsJson(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) || accepted.Count == 0) return true;
        // By type only: parameters such as fhirVersion or charset do not change which format is asked for.
        return accepted.Any(range => range.Quality is not 0 &&
            (range.MatchesAllTypes || (range.MatchesAllSubTypes && range.Type.Equals("application", StringComparison.OrdinalIgnoreCase)) || IsServed(range.MediaType.Value)));
    }

    /// <summary>A Content-Type on a request without a body (some clients send one with GET) is no reason to refuse.</summary>
    private static bool HasBody(HttpRequest request) => request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    private static bool IsJson(string? contentType) => MediaTypeHeaderValue.TryParse(contentType, out var type) && IsServed(type.MediaType.Value);

    private static bool IsServed(string? mediaType) => Served.Contains(mediaType, StringComparer.OrdinalIgnoreCase);
}
