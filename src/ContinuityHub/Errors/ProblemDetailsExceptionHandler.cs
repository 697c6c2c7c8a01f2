using ContinuityHub.Observability;
using ContinuityHub.Security;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Errors;

/// <summary>
/// The single place where an unhandled exception becomes a response: problem+json (an OperationOutcome
/// under /fhir, by the FHIR problem writer) with the correlation id — or, for a page request failing on the server,
/// the bare status that the GOV.UK error page dresses (<see cref="WebUi.WebPages.UseWebPageErrors"/>) —
/// never a stack trace or exception text (which could carry personal data). Client errors that the
/// framework raises as BadHttpRequestException keep their 4xx status; the database being unavailable is a 503
/// with Retry-After (<see cref="DatabaseUnavailable"/>), for every endpoint at once.
/// </summary>
public sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemDetailsExceptionHandler> logger)
    : IExceptionHandler
{
    public ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (DatabaseUnavailable.Is(exception))
        {
            logger.LogWarning("Database unavailable ({ExceptionType:l}) at {Route:l}", exception.GetType().Name, RouteTemplate.Of(context));
            context.Response.Headers.RetryAfter = DatabaseUnavailable.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // Under /fhir: an OperationOutcome with code transient.
            return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "https://continuityhub.example.org/problems/database-unavailable",
                "The service is temporarily unavailable.",
                "The hub cannot reach its database at the moment. Send the same request again later (a notification with the same id is not stored twice).");
        }
        if (InputRejectedByDatabase.SqlState(exception) is { } sqlState)
        {
            logger.LogError(InputRejectedByDatabase.LogMessage + " (SQLSTATE {SqlState:l}) at {Route:l}", sqlState, RouteTemplate.Of(context));
            return WriteAsync(context, StatusCodes.Status422UnprocessableEntity, "https://continuityhub.example.org/problems/validation",
                "The request is not valid.", "The request holds a value the hub cannot store (too long, or out of range). Nothing was written.");
        }
        var status = exception switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            // A form the framework could not read (a broken multipart body, a field name it refuses) or whose
            // anti-forgery token it could not read: the request's fault, thrown from the framework's own readers.
            Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException or InvalidDataException => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status500InternalServerError,
        };
        if (status >= 500)
            logger.LogError("Unhandled {ExceptionType:l} at {Route:l}", exception.GetType().Name, RouteTemplate.Of(context));
        return status >= 500
            ? WriteAsync(context, status, type: null, "An unexpected error occurred.", "The error has been logged with the correlation id below.")
            : WriteAsync(context, status, type: null, "The request could not be processed.", detail: null);
    }

    /// <summary>
    /// The one writer: under /fhir the problem is written as an OperationOutcome (Features/Fhir/FhirProblemWriter); a
    /// page failing on the server answers no JSON: the bare status is dressed as the GOV.UK error page
    /// (WebPages.UseWebPageErrors).
    /// </summary>
    private ValueTask<bool> WriteAsync(HttpContext context, int status, string? type, string title, string? detail)
    {
        context.Response.StatusCode = status;
        if (status >= 500 && UiAuthentication.IsUiPath(context.Request.Path)) return ValueTask.FromResult(true);
        return problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}
