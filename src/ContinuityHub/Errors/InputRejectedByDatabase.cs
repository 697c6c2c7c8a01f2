using Npgsql;

namespace ContinuityHub.Errors;

/// <summary>
/// Recognises PostgreSQL refusing a value the request carried (a data exception such as text it cannot
/// encode or a number out of range, a CHECK constraint such as a column's length limit, an index row too
/// large). The API checks every value before it reaches the database (JsonBody, ClientDates, TextLimits),
/// so this is the backstop for a path that forgot: the client gets a 422, not a 500, and the hub logs an
/// error so the missing check is found and fixed (the fuzz test fails on that log line).
/// </summary>
public static class InputRejectedByDatabase
{
    /// <summary>Logged when the backstop answers; the fuzz test looks for it.</summary>
    public const string LogMessage = "Input reached the database unchecked";

    public static string? SqlState(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException postgres &&
                (postgres.SqlState.StartsWith("22", StringComparison.Ordinal) // data exception (class 22)
                 || postgres.SqlState == PostgresErrorCodes.CheckViolation
                 || postgres.SqlState == PostgresErrorCodes.ProgramLimitExceeded))
                return postgres.SqlState;
        }
        return null;
    }
}
