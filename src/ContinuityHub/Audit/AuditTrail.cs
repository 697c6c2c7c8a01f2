using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ContinuityHub.Audit;

/// <summary>
/// Adds entries to the append-only audit_log in the caller's unit of work, so an audited read or change
/// and its audit entry are saved together or not at all.
/// </summary>
public sealed class AuditTrail(HubDbContext db, CurrentActor actor, TimeProvider clock)
{
    /// <param name="refused">The read was refused (a 403 or 404 on a person's record, see <see cref="RefusedReadAudit"/>).</param>
    public void Record(string action, string resourceType, string resourceId, bool refused = false) =>
        // The entry alone (it has no navigations for `Add` to walk).
        db.Entry(Entry(action, resourceType, resourceId, refused)).State = EntityState.Added;

    /// <summary>
    /// Many entries with one statement, written at once in the caller's open transaction (so they commit or roll
    /// back with the caller's change, like <see cref="Record"/>). For batches (the follow-up sweep).
    /// </summary>
    public async Task RecordManyAsync(IReadOnlyCollection<(string Action, string ResourceType, string ResourceId)> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0) return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("RecordManyAsync writes in the caller's transaction; begin one first.");
        var rows = entries.Select(e => Entry(e.Action, e.ResourceType, e.ResourceId)).ToList();
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO audit_log (occurred_at, actor_subject, actor_roles, action, resource_type, resource_id, correlation_id)
            SELECT * FROM unnest(@occurred, @subjects, @roles, @actions, @types, @ids, @correlations)
            """,
            [
                new NpgsqlParameter("occurred", rows.Select(r => r.OccurredAt).ToArray()),
                new NpgsqlParameter("subjects", rows.Select(r => r.ActorSubject).ToArray()),
                new NpgsqlParameter("roles", rows.Select(r => r.ActorRoles).ToArray()),
                new NpgsqlParameter("actions", rows.Select(r => r.Action).ToArray()),
                new NpgsqlParameter("types", rows.Select(r => r.ResourceType).ToArray()),
                new NpgsqlParameter("ids", rows.Select(r => r.ResourceId).ToArray()),
                new NpgsqlParameter("correlations", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.CorrelationId).ToArray() },
            ],
            cancellationToken);
    }

    private AuditEntry Entry(string action, string resourceType, string resourceId, bool refused = false)
    {
        var by = actor.Get();
        return new AuditEntry
        {
            OccurredAt = clock.GetUtcNow(),
            ActorSubject = by.Subject,
            ActorRoles = by.Roles,
            Action = action,
            ResourceType = resourceType,
            ResourceId = resourceId,
            CorrelationId = by.CorrelationId,
            Refused = refused,
        };
    }
}
