using Npgsql;

namespace ContinuityHub.Data;

/// <summary>
/// Statements a unit of work's observers want run in its transaction (a set-based re-plan of follow-ups, say), held
/// until the unit of work is written so that they travel in its one round trip (<see cref="EntityRowWriter"/>) rather
/// than each in a round trip of its own. Scoped: one list a unit of work. Parameters are positional (<c>$1</c>).
/// </summary>
public sealed class QueuedStatements
{
    private List<NpgsqlBatchCommand> statements = [];

    public void Add(string sql, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
            command.Parameters.Add(parameter as NpgsqlParameter ?? new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        statements.Add(command);
    }

    /// <summary>Everything queued, in order; the queue is left empty (a failed write is not sent twice).</summary>
    public IReadOnlyList<NpgsqlBatchCommand> TakeAll()
    {
        var taken = statements;
        statements = [];
        return taken;
    }

    /// <summary>Drops what was queued: the unit of work was abandoned (rolled back) before it was written.</summary>
    public void Clear() => statements.Clear();
}
