using ContinuityHub.Infrastructure.Delivery;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// Sends the queued emails, on every node where Notify is configured: it claims due rows, marks each as
/// possibly at Notify, sends it through <see cref="NotifyClient"/> (looking the reference up first when an
/// earlier attempt may have reached Notify), and records the outcome: sent, failed (Notify refused it),
/// undeliverable (no template id for its key), or the error and the next attempt (backoff in the database).
/// Logs carry ids, template keys and error codes only: never an address or personalisation.
/// </summary>
public sealed class NotifyDispatcher(IServiceScopeFactory scopes, IOptions<NotifyOptions> options, TimeProvider clock, ILogger<NotifyDispatcher> logger)
    : OutboxDispatcher(options.Value, clock, logger)
{
    private readonly NotifyOptions settings = options.Value;

    protected override string What => "Notify email";

    protected override IEnumerable<string> SettingProblems() => settings.Problems();

    protected override string? NotDispatchingBecause() =>
        !settings.Configured ? "no Hub:Notify:ApiKey is configured; emails stay pending in the outbox (GET /api/v1/notifications) until one is"
        : !settings.Enabled ? "Hub:Notify:Enabled is false; emails stay queued for another node or a restart"
        : null;

    protected override async Task<int> DispatchDueAsync(CancellationToken stoppingToken)
    {
        var claimToken = Guid.NewGuid();
        List<QueuedEmail> due;
        await using (var scope = scopes.CreateAsyncScope())
            due = await scope.ServiceProvider.GetRequiredService<QueuedEmailStore>().ClaimDueAsync(claimToken, settings.BatchSize, settings.Lease, stoppingToken);
        if (due.Count == 0) return 0;
        // Not cancelled as a whole: each row, even one not started, must give its claim back.
        await Task.WhenAll(due.Select(email => DispatchOneAsync(email, claimToken, stoppingToken)));
        return due.Count;
    }

    private async Task DispatchOneAsync(QueuedEmail email, Guid claimToken, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<QueuedEmailStore>();
        try
        {
            stoppingToken.ThrowIfCancellationRequested();
            if (settings.TemplateId(email.TemplateKey) is not { } templateId)
            {
                await store.GiveUpAsync(email, claimToken, QueuedEmailStates.Undeliverable, NotificationErrors.NoTemplateId(email.TemplateKey), attempted: false, stoppingToken);
                Logger.LogWarning("Notify email {EmailId} (template key {TemplateKey}, episode {EpisodeId}) is undeliverable: no template id is configured for its key",
                    email.Id, email.TemplateKey, email.EpisodeId);
                return;
            }
            if (email.EmailAddress is null)
            {
                await store.GiveUpAsync(email, claimToken, QueuedEmailStates.Undeliverable, NotificationErrors.NoEmailAddress, attempted: false, stoppingToken);
                return;
            }
            var mayAlreadyBeThere = email.InFlightSince is not null;
            await scope.ServiceProvider.GetRequiredService<NotifyRateLimiter>().WaitAsync(mayAlreadyBeThere ? 2 : 1, stoppingToken);
            if (!await store.MarkInFlightAsync(email, claimToken, stoppingToken)) return;

            var result = await scope.ServiceProvider.GetRequiredService<NotifyClient>()
                .SendAsync(new NotifyEmail(email.Reference, templateId, email.EmailAddress, email.Personalisation), mayAlreadyBeThere, stoppingToken);
            await RecordAsync(store, email, claimToken, result, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await GiveClaimBackAsync(token => store.ReleaseAsync(email, claimToken, token));
        }
        catch (Exception e)
        {
            Logger.LogError("Notify email {EmailId} failed unexpectedly ({ExceptionType})", email.Id, e.GetType().Name);
            await store.RescheduleAsync(email, claimToken, e.GetType().Name, NextAttempt(email.Attempts + 1), CancellationToken.None);
        }
    }

    private async Task RecordAsync(QueuedEmailStore store, QueuedEmail email, Guid claimToken, NotifyResult result, CancellationToken cancellationToken)
    {
        var attempts = email.Attempts + 1;
        bool stillOurs;
        switch (result)
        {
            case NotifyResult.Sent sent:
                stillOurs = await store.MarkSentAsync(email, claimToken, sent.NotificationId, cancellationToken);
                Logger.LogInformation("Notify email {EmailId} (template key {TemplateKey}, episode {EpisodeId}) {Outcome} at attempt {Attempts}; Notify id {NotifyNotificationId}",
                    email.Id, email.TemplateKey, email.EpisodeId, sent.AlreadyThere ? "was already at Notify (found by reference, not sent again)" : "sent", attempts, sent.NotificationId);
                break;
            case NotifyResult.Refused refused:
                stillOurs = await store.GiveUpAsync(email, claimToken, QueuedEmailStates.Failed, refused.Error, attempted: true, cancellationToken);
                Logger.LogError("Notify email {EmailId} (template key {TemplateKey}, episode {EpisodeId}) refused by Notify ({Error}); given up",
                    email.Id, email.TemplateKey, email.EpisodeId, refused.Error);
                break;
            case NotifyResult.Transient transient when attempts >= settings.MaxAttempts:
                stillOurs = await store.GiveUpAsync(email, claimToken, QueuedEmailStates.Failed, transient.Error, attempted: true, cancellationToken);
                Logger.LogError("Notify email {EmailId} (template key {TemplateKey}, episode {EpisodeId}) failed {Attempts} times ({Error}); given up",
                    email.Id, email.TemplateKey, email.EpisodeId, attempts, transient.Error);
                break;
            case NotifyResult.Transient transient:
                var next = NextAttempt(attempts);
                stillOurs = await store.RescheduleAsync(email, claimToken, transient.Error, next, cancellationToken);
                Logger.LogWarning("Notify email {EmailId} (template key {TemplateKey}, episode {EpisodeId}) failed ({Error}), attempt {Attempts}; next at {NextAttemptAt:o}",
                    email.Id, email.TemplateKey, email.EpisodeId, transient.Error, attempts, next);
                break;
            default:
                throw new InvalidOperationException($"Unknown Notify result {result.GetType().Name}");
        }
        if (!stillOurs)
            Logger.LogWarning("Notify email {EmailId}: the claim lapsed before the outcome was recorded; the next claim looks the reference up before sending", email.Id);
    }

    private DateTimeOffset NextAttempt(int attempts) => DeliveryBackoff.NextAttempt(settings, attempts, Clock.GetUtcNow());
}
