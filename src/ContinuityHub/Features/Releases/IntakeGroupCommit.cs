using ContinuityHub.Errors;
using ContinuityHub.Hosting;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Releases;

/// <summary>Group commit of the notification intake (docs/decisions.md, "Intake by group commit").</summary>
public sealed class IntakeOptions
{
    /// <summary>The most notifications taken in by one unit of work (one transaction).</summary>
    public int MaxGroupSize { get; set; } = 64;

    /// <summary>
    /// Units of work in flight at once. Up to this many notifications at a time each go alone, at once (no waiting for
    /// a group); beyond it they wait and go together. Measured on 2 cores (docs/performance.md): 8 keeps single requests
    /// as fast as before and still gives a batch's rows groups of <see cref="MaxGroupSize"/>.
    /// </summary>
    public int ConcurrentGroups { get; set; } = 8;
}

/// <summary>
/// Every validated notification — a single request, a batch row, the form, probation's — is taken in here. The
/// notifications waiting when a unit of work starts go in together (<see cref="ReleaseIntakeService.ProcessGroupAsync"/>):
/// one lock-and-find, one write and one commit for all of them, where each alone would need three round trips and a
/// commit of its own; under load the database and the hub do a fraction of the work per notification, and with one
/// notification waiting, a group is that one. A caller's answer waits for its group's commit, so an answer still
/// means stored.
/// <para>
/// A notification joins a group only when no earlier waiting or in-flight notification is about the same person or
/// carries the same notificationId: one person's notifications are taken in one after the other in the order they
/// came (the latest wins, a repeat answers as a repeat), each seeing what the earlier one committed. If a group fails
/// for any reason but the database being unavailable, its notifications are taken in again one by one, each in its
/// own unit of work, so one notification's failure is never another's.
/// </para>
/// </summary>
public sealed class IntakeGroupCommit(IServiceScopeFactory scopes, IOptions<HubOptions> options, ILogger<IntakeGroupCommit> logger)
{
    private readonly object gate = new();
    private readonly LinkedList<Entry> waiting = new();
    private readonly HashSet<string> inFlight = new(StringComparer.Ordinal);
    private int running;

    /// <summary>Notifications waiting for a unit of work (not those in flight).</summary>
    public int Waiting
    {
        get
        {
            lock (gate) return waiting.Count;
        }
    }

    public Task<IntakeOutcome> SubmitAsync(IntakeItem item)
    {
        var entry = new Entry(item, KeysOf(item));
        bool start;
        lock (gate)
        {
            waiting.AddLast(entry);
            start = running < Math.Max(1, options.Value.Intake.ConcurrentGroups);
            if (start) running++;
        }
        if (start)
        {
            // The unit of work belongs to no request: nothing of the submitting request (its HttpContext, its log
            // properties) flows into it; each notification's actor travels with it (IntakeItem.Actor).
            using (ExecutionContext.SuppressFlow()) _ = Task.Run(DrainAsync);
        }
        return entry.Answer.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<Entry> group;
            lock (gate)
            {
                group = TakeGroup();
                if (group.Count == 0)
                {
                    running--;
                    return;
                }
            }
            try
            {
                await RunAsync(group);
            }
            finally
            {
                lock (gate)
                    foreach (var entry in group) inFlight.ExceptWith(entry.Keys);
            }
        }
    }

    /// <summary>The waiting notifications, oldest first, that share no person or id with an earlier one still waiting or in flight.</summary>
    private List<Entry> TakeGroup()
    {
        var group = new List<Entry>();
        var passedOver = new HashSet<string>(StringComparer.Ordinal);
        var max = Math.Max(1, options.Value.Intake.MaxGroupSize);
        for (var node = waiting.First; node is not null && group.Count < max;)
        {
            var next = node.Next;
            var keys = node.Value.Keys;
            if (keys.Any(inFlight.Contains) || keys.Any(passedOver.Contains))
                passedOver.UnionWith(keys);
            else
            {
                waiting.Remove(node);
                inFlight.UnionWith(keys);
                group.Add(node.Value);
            }
            node = next;
        }
        return group;
    }

    private async Task RunAsync(List<Entry> group)
    {
        try
        {
            var outcomes = await ProcessAsync(group.Select(w => w.Item).ToList());
            for (var i = 0; i < group.Count; i++) group[i].Answer.TrySetResult(outcomes[i]);
        }
        catch (Exception e) when (group.Count > 1 && !DatabaseUnavailable.Is(e))
        {
            logger.LogWarning("An intake group of {Count} failed with {ExceptionType}; taking its notifications in one by one", group.Count, e.GetType().Name);
            foreach (var entry in group)
            {
                try
                {
                    entry.Answer.TrySetResult((await ProcessAsync([entry.Item]))[0]);
                }
                catch (Exception alone)
                {
                    entry.Answer.TrySetException(alone);
                }
            }
        }
        catch (Exception e)
        {
            foreach (var entry in group) entry.Answer.TrySetException(e);
        }
    }

    private async Task<IReadOnlyList<IntakeOutcome>> ProcessAsync(IReadOnlyList<IntakeItem> items)
    {
        await using var scope = scopes.CreateAsyncScope();
        // Not the request's cancellation: once a group starts, it finishes (a caller that went away can send again,
        // and its repeat is answered from what was stored).
        return await scope.ServiceProvider.GetRequiredService<ReleaseIntakeService>().ProcessGroupAsync(items, CancellationToken.None);
    }

    private static string[] KeysOf(IntakeItem item) =>
        ["person:" + item.Notification.Person.NomsNumber, "id:" + item.Notification.NotificationId.ToString("N")];

    private sealed record Entry(IntakeItem Item, string[] Keys)
    {
        public TaskCompletionSource<IntakeOutcome> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
