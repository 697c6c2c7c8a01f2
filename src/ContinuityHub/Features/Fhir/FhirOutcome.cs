using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace ContinuityHub.Features.Fhir;

/// <summary>OperationOutcomes, the answer to every refusal and failure under /fhir (contract §5).</summary>
public static class FhirOutcome
{
    /// <summary>One error issue; <paramref name="code"/> is an R4 IssueType code (invalid, not-found, forbidden, business-rule…).</summary>
    public static OperationOutcome Error(string code, string diagnostics, params string[] expression) =>
        Error(EnumUtility.ParseLiteral<OperationOutcome.IssueType>(code) ?? throw new ArgumentException($"'{code}' is not an R4 IssueType code.", nameof(code)),
            diagnostics, expression);

    public static OperationOutcome Error(OperationOutcome.IssueType code, string diagnostics, params string[] expression) => new()
    {
        Issue =
        [
            new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = code,
                Diagnostics = diagnostics,
                Expression = expression,
            },
        ],
    };

    /// <summary>The IssueType for an HTTP error status that no endpoint explained (routing, authentication, the server).</summary>
    public static OperationOutcome.IssueType IssueTypeFor(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => OperationOutcome.IssueType.Login,
        StatusCodes.Status403Forbidden => OperationOutcome.IssueType.Forbidden,
        StatusCodes.Status404NotFound => OperationOutcome.IssueType.NotFound,
        StatusCodes.Status405MethodNotAllowed or StatusCodes.Status406NotAcceptable or StatusCodes.Status415UnsupportedMediaType
            => OperationOutcome.IssueType.NotSupported,
        StatusCodes.Status409Conflict or StatusCodes.Status412PreconditionFailed => OperationOutcome.IssueType.Conflict,
        StatusCodes.Status413PayloadTooLarge => OperationOutcome.IssueType.TooCostly,
        StatusCodes.Status428PreconditionRequired => OperationOutcome.IssueType.Required,
        StatusCodes.Status429TooManyRequests => OperationOutcome.IssueType.Throttled,
        StatusCodes.Status503ServiceUnavailable => OperationOutcome.IssueType.Transient,
        >= 500 => OperationOutcome.IssueType.Exception,
        _ => OperationOutcome.IssueType.Invalid,
    };
}
