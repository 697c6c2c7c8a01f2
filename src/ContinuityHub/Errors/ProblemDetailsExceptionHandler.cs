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
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (DatabaseUnavailable.Is(exception)) return await WriteUnavailableAsync(context, exception, cancellationToken);
        if (InputRejectedByDatabase.SqlState(exception) is { } sqlState) return await WriteRejectedInputAsync(context, sqlState);
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
        context.Response.StatusCode = status;
        // A page answers no JSON: the bare status is dressed as the GOV.UK error page (WebPages.UseWebPageErrors).
        if (status >= 500 && UiAuthentication.IsUiPath(context.Request.Path)) return true;
        // Under /fhir the problem is written as an OperationOutcome (Features/Fhir/FhirProblemWriter).
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = status >= 500 ? "An unexpected error occurred." : "The request could not be processed.",
                Detail = status >= 500 ? "The error has been logged with the correlation id below." : null,
            },
        });
    }

    private async ValueTask<bool> WriteRejectedInputAsync(HttpContext context, string sqlState)
    {
        logger.LogError(InputRejectedByDatabase.LogMessage + " (SQLSTATE {SqlState:l}) at {Route:l}", sqlState, RouteTemplate.Of(context));
        context.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        const string detail = "The request holds a value the hub cannot store (too long, or out of range). Nothing was written.";
        // Under /fhir: an OperationOutcome (Features/Fhir/FhirProblemWriter).
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Type = "https://continuityhub.example.org/problems/validation",
                Title = "The request is not valid.",
                Detail = detail,
            },
        });
    }

    private async ValueTask<bool> WriteUnavailableAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        logger.LogWarning("Database unavailable ({ExceptionType:l}) at {Route:l}", exception.GetType().Name, RouteTemplate.Of(context));
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = DatabaseUnavailable.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (UiAuthentication.IsUiPath(context.Request.Path)) return true; // the GOV.UK error page, as above
        const string detail = "The hub cannot reach its database at the moment. Send the same request again later (a notification with the same id is not stored twice).";
        // Under /fhir: an OperationOutcome with code transient (Features/Fhir/FhirProblemWriter).
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = "https://continuityhub.example.org/problems/database-unavailable",
                Title = "The service is temporarily unavailable.",
                Detail = detail,
            },
        });
    }
}
