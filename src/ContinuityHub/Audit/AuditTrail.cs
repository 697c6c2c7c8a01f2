using ContinuityHub.Data;
using ContinuityHub.Observability;
using ContinuityHub.Security;

namespace ContinuityHub.Audit;

/// <summary>
/// Adds entries to the append-only audit_log in the caller's unit of work, so an audited read or change
/// and its audit entry are saved together or not at all.
/// </summary>
public sealed class AuditTrail(HubDbContext db, IHttpContextAccessor httpContextAccessor, TimeProvider clock)
{
    public void Record(string action, string resourceType, string resourceId)
    {
        var context = httpContextAccessor.HttpContext;
        var user = context is null ? null : HubUser.From(context);
        db.AuditLog.Add(new AuditEntry
        {
            OccurredAt = clock.GetUtcNow(),
            ActorSubject = user?.Subject ?? "system",
            ActorRoles = user is null ? "" : string.Join(',', user.Roles),
            Action = action,
            ResourceType = resourceType,
            ResourceId = resourceId,
            CorrelationId = context is null ? null : CorrelationIdMiddleware.Get(context),
        });
    }
}
