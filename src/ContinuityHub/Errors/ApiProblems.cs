namespace ContinuityHub.Errors;

/// <summary>One problem with a request, located by a JSON pointer (RFC 6901) into the body.</summary>
public sealed record FieldProblem(string Pointer, string Detail);

/// <summary>
/// The problem+json answers of the JSON API (RFC 9457). Validation answers list every problem with its
/// pointer under <c>errors</c>, as RFC 9457 §3's example does.
/// </summary>
public static class ApiProblems
{
    public const string ContentType = "application/problem+json";

    public static IResult Validation(IReadOnlyList<FieldProblem> problems, int status = StatusCodes.Status422UnprocessableEntity) =>
        TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Type = status == 400 ? "https://continuityhub.example.org/problems/malformed-request" : "https://continuityhub.example.org/problems/validation",
            Title = status == 400 ? "The request body could not be read." : "The request is not valid.",
            Detail = $"{problems.Count} problem(s) found; nothing was written.",
            Extensions = { ["errors"] = problems.Select(p => new { pointer = p.Pointer, detail = p.Detail }).ToList() },
        });

    /// <summary>A body <see cref="Infrastructure.JsonBody"/> refused: 400 when it is not JSON, 422 when it holds values the hub cannot keep.</summary>
    public static IResult Unreadable(Infrastructure.JsonBody.Refusal refusal) => Validation(refusal.Problems, refusal.Status);

    /// <summary>
    /// 409 for a message that would change a record outside the sender's scope without an agreeing identity. It
    /// names no personal data: not the person, not the fields' values, not where the record is held.
    /// </summary>
    public static IResult IdentityConflict(Guid conflictId) =>
        TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Type = IdentityConflictType,
            Title = "Identity conflict",
            Detail = IdentityConflictDetail,
            Extensions = { ["conflictId"] = conflictId },
        });

    public const string IdentityConflictType = "https://continuityhub.example.org/problems/identity-conflict";

    public const string IdentityConflictDetail =
        "This message names a person whose record is held outside your scope, and the identity it gives does not agree with the one held. " +
        "Nothing was written. The conflict is listed for the hub's administrators; check the identifiers and contact them with the conflict id.";

    /// <summary>400 for a query string: every problem named with its parameter under <c>errors</c>.</summary>
    public static IResult InvalidQuery(IReadOnlyList<(string Parameter, string Detail)> problems) =>
        TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Type = "https://continuityhub.example.org/problems/invalid-query",
            Title = "The query is not valid.",
            Detail = string.Join(" ", problems.Select(p => $"{p.Parameter}: {p.Detail}")),
            Extensions = { ["errors"] = problems.Select(p => new { parameter = p.Parameter, detail = p.Detail }).ToList() },
        });

    public static IResult Status(int status, string title, string detail) =>
        TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail });
}
