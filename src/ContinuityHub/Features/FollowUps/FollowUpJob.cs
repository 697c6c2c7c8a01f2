using Microsoft.Extensions.Options;
using Quartz;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// The one durable Quartz job behind every follow-up trigger. A trigger carries only the follow-up's id (job
/// data: ids only); everything else is read from the database when it fires, by <see cref="FollowUpRunner"/>,
/// whose claim makes a second firing, a recovered firing or another node's firing do nothing.
/// </summary>
public sealed class FollowUpJob(IServiceScopeFactory scopes, IOptions<Hosting.HubOptions> options, ILogger<FollowUpJob> logger) : IJob
{
    public static readonly JobKey Key = new("follow-up", "follow-ups");
    public const string TriggerGroup = "follow-ups";
    public const string FollowUpIdKey = "followUpId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParse(context.MergedJobDataMap.GetString(FollowUpIdKey), out var followUpId))
        {
            logger.LogError("Follow-up trigger {TriggerKey} carries no follow-up id; ignored", context.Trigger.Key.ToString());
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<FollowUpRunner>().RunAsync(followUpId, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down mid-run: the transaction rolled back, the row is still scheduled, and Quartz hands
            // the firing back for recovery (the job requests it), so it runs again on this or another node.
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Follow-up {FollowUpId} failed ({ExceptionType})", followUpId, e.GetType().Name);
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<FollowUpRunner>()
                .RecordFailureAsync(followUpId, e, options.Value.FollowUps, CancellationToken.None);
        }
    }
}
