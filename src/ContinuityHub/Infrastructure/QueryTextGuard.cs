using ContinuityHub.Errors;

namespace ContinuityHub.Infrastructure;

/// <summary>
/// Refuses a request whose query string holds the NUL character (%00) in a name or value, for every endpoint
/// at once: PostgreSQL cannot take it in any text parameter, and no parameter of the hub needs it. Invalid
/// UTF-8 needs no check here (it is decoded to U+FFFD).
/// </summary>
public sealed class QueryTextGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        foreach (var (name, values) in context.Request.Query)
        {
            if (name.Contains('\0') || values.Any(v => v?.Contains('\0') == true))
                return ApiProblems.Validation([new FieldProblem("", $"The query parameter '{ReportCut(name)}' must not contain the NUL character (%00).")],
                    StatusCodes.Status400BadRequest).ExecuteAsync(context);
        }
        return next(context);
    }

    private static string ReportCut(string name) => (name.Length <= 40 ? name : name[..40] + "…").Replace("\0", "\\0");
}
