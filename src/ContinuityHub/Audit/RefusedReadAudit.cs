namespace ContinuityHub.Audit;

/// <summary>Marks an endpoint that reads a person's record: a refusal of it (403 or 404) is audited.</summary>
/// <param name="Action">The audit action, as for an allowed read (e.g. <c>fhir.read</c>).</param>
/// <param name="ResourceType">What the route names (e.g. <c>Patient</c>).</param>
/// <param name="RouteValue">The route value holding the record's id.</param>
public sealed record PersonRecordRead(string Action, string ResourceType, string RouteValue);

/// <summary>
/// Refused reads are part of the audit trail (who tried to read whose record): after an endpoint marked with
/// <see cref="PersonRecordRead"/> answers 403 or 404 to an authenticated caller — whether the endpoint refused
/// or the role check in front of it did — an entry marked <c>refused</c> is saved. It runs in a scope of its own,
/// so nothing the refused request left in its unit of work is saved with it.
/// </summary>
public sealed class RefusedReadAudit(RequestDelegate next, ILogger<RefusedReadAudit> logger)
{
    public async Task InvokeAsync(HttpContext context, IServiceScopeFactory scopes)
    {
        await next(context);
        if (context.Response.StatusCode is not (StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound)) return;
        if (context.User.Identity?.IsAuthenticated != true) return;
        if (context.GetEndpoint()?.Metadata.GetMetadata<PersonRecordRead>() is not { } read) return;
        var id = context.GetRouteValue(read.RouteValue)?.ToString() ?? "";
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<AuditTrail>().Record(read.Action, read.ResourceType, id.Length <= 64 ? id : id[..64], refused: true);
            await scope.ServiceProvider.GetRequiredService<Data.HubDbContext>().SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // The refusal has been answered; a failure to record it must not turn into a second answer.
            logger.LogError("A refused read of {ResourceType} could not be audited ({ExceptionType})", read.ResourceType, e.GetType().Name);
        }
    }
}

public static class RefusedReadAuditSetup
{
    public static IApplicationBuilder UseRefusedReadAudit(this IApplicationBuilder app) => app.UseMiddleware<RefusedReadAudit>();

    /// <summary>Audits this endpoint's refusals (403, 404) as refused reads of <paramref name="resourceType"/>.</summary>
    public static TBuilder AuditsRefusedReads<TBuilder>(this TBuilder endpoint, string action, string resourceType, string routeValue)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new PersonRecordRead(action, resourceType, routeValue));
}
