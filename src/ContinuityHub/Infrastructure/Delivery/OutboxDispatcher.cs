namespace ContinuityHub.Infrastructure.Delivery;

/// <summary>
/// The loop every outbox dispatcher runs on every node: check the settings at start-up (a bad one stops the
/// start with one message naming it; Program prints it), then claim and send due rows, at once again while
/// batches come back full, otherwise every PollInterval. A failed round (the database briefly unreachable) is
/// logged and the next poll tries again.
/// </summary>
public abstract class OutboxDispatcher(DeliveryOptions settings, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected ILogger Logger { get; } = logger;

    /// <summary>What it dispatches, for messages: "provider push", "Notify email".</summary>
    protected abstract string What { get; }

    protected abstract IEnumerable<string> SettingProblems();

    /// <summary>Why this node does not dispatch (logged once), or null when it does.</summary>
    protected abstract string? NotDispatchingBecause();

    /// <returns>How many rows were claimed.</returns>
    protected abstract Task<int> DispatchDueAsync(CancellationToken stoppingToken);

    /// <summary>
    /// Gives a row's claim back when the node stops mid-send, so another node can take it at once; briefly,
    /// since the host is shutting down — if the database does not answer in time, the lease lapses on its own.
    /// </summary>
    protected static async Task GiveClaimBackAsync(Func<CancellationToken, Task> release)
    {
        using var brief = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await release(brief.Token); }
        catch (Exception e) when (e is OperationCanceledException or Microsoft.EntityFrameworkCore.DbUpdateException or Npgsql.NpgsqlException)
        {
            // The lease lapses on its own.
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var problems = SettingProblems().ToList();
        if (problems.Count > 0) throw new InvalidOperationException($"The {What} settings are invalid: " + string.Join(" ", problems));
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (NotDispatchingBecause() is { } reason)
        {
            Logger.LogInformation("{What} dispatch is off on this node: {Reason}", What, reason);
            return;
        }
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await DispatchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Logger.LogError(e, "{What} dispatch failed ({ExceptionType})", What, e.GetType().Name);
            }
            // A full batch means more may be due: go again at once.
            if (claimed == settings.BatchSize) continue;
            try
            {
                await Task.Delay(settings.PollInterval, Clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
