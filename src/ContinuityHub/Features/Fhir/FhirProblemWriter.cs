using ContinuityHub.Observability;
using Microsoft.AspNetCore.WebUtilities;

namespace ContinuityHub.Features.Fhir;

/// <summary>
/// Under /fhir, every error answer that no endpoint wrote itself becomes an OperationOutcome instead of
/// problem+json: an unknown route (404), a method the route does not serve (405), authentication's 401 and
/// authorization's 403, a 4xx the framework raises, unhandled exceptions (500, with the correlation id and
/// nothing from the exception) and the database being unreachable (503 transient, with Retry-After). It is the hub's <see cref="IProblemDetailsWriter"/> for FHIR paths, so
/// <c>UseStatusCodePages</c> and the exception handler reach it through <see cref="IProblemDetailsService"/>.
/// </summary>
public sealed class FhirProblemWriter : IProblemDetailsWriter
{
    public const string PathPrefix = "/fhir";

    public static bool IsFhirRequest(HttpContext context) => context.Request.Path.StartsWithSegments(PathPrefix);

    public bool CanWrite(ProblemDetailsContext context) => IsFhirRequest(context.HttpContext);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        var outcome = FhirOutcome.Error(FhirOutcome.IssueTypeFor(status), Diagnostics(http, status, context.ProblemDetails.Detail));
        return new ValueTask(new FhirResult(outcome, status).ExecuteAsync(http));
    }

    private static string Diagnostics(HttpContext context, int status, string? detail) => status switch
    {
        // The problem's detail points at a correlationId field that an OperationOutcome does not have.
        StatusCodes.Status500InternalServerError => Unexpected(context),
        _ when detail is not null => detail,
        >= 500 => Unexpected(context),
        StatusCodes.Status401Unauthorized => "A valid bearer token is required.",
        StatusCodes.Status403Forbidden => "Your token's role may not use this FHIR interaction.",
        StatusCodes.Status404NotFound => "No FHIR interaction is served at this path; GET /fhir/metadata lists what is.",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not served at this path; GET /fhir/metadata lists the interactions.",
        _ => $"The request could not be processed ({ReasonPhrases.GetReasonPhrase(status)}).",
    };

    private static string Unexpected(HttpContext context) =>
        $"An unexpected error occurred; it has been logged with correlation id {CorrelationIdMiddleware.Get(context)}.";
}
