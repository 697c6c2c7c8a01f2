using Npgsql;

namespace ContinuityHub.Errors;

/// <summary>
/// Recognises a failure that is the database's state, not the request's: PostgreSQL stopped or restarting,
/// a connection refused or reset, the pool exhausted, a serialization failure or deadlock. Such a request can
/// succeed if sent again, so it is answered 503 with Retry-After rather than 500 (issue 12).
/// </summary>
public static class DatabaseUnavailable
{
    /// <summary>Seconds a client should wait before sending again: about how long a PostgreSQL restart or a failover takes.</summary>
    public const int RetryAfterSeconds = 5;

    public static bool Is(Exception exception)
    {
        // EF Core and the hub's own code wrap Npgsql's exception (DbUpdateException, InvalidOperationException…).
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException npgsql && npgsql.IsTransient) return true;
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(Is)) return true;
        }
        return false;
    }
}
