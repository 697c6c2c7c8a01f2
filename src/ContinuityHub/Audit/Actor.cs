using ContinuityHub.Observability;
using ContinuityHub.Security;

namespace ContinuityHub.Audit;

/// <summary>Who a change or read is done for, as the audit log and the identity-conflict log record it.</summary>
public sealed record Actor(string Subject, string Roles, string? CorrelationId)
{
    /// <summary>Work no caller asked for (the follow-up sweep, start-up).</summary>
    public static readonly Actor System = new("system", "", null);

    public static Actor Of(HttpContext? context)
    {
        if (context is null) return System;
        var user = HubUser.From(context);
        return new Actor(user.Subject, string.Join(',', user.Roles), CorrelationIdMiddleware.Get(context));
    }
}

/// <summary>
/// The actor of the current unit of work: the request's caller, unless the scope is doing work for other callers —
/// the intake's group commit (<c>Features/Releases/IntakeGroupCommit</c>) takes many callers' notifications in one
/// unit of work, so each notification's audit entries name the caller who sent it, not whoever's request is running.
/// </summary>
public sealed class CurrentActor(IHttpContextAccessor httpContextAccessor)
{
    private Actor? actingFor;

    public Actor Get() => actingFor ?? Actor.Of(httpContextAccessor.HttpContext);

    /// <summary>Until disposed, everything recorded in this scope is recorded for <paramref name="actor"/>.</summary>
    public IDisposable ActFor(Actor actor)
    {
        var previous = actingFor;
        actingFor = actor;
        return new Restore(this, previous);
    }

    private sealed class Restore(CurrentActor owner, Actor? previous) : IDisposable
    {
        public void Dispose() => owner.actingFor = previous;
    }
}
