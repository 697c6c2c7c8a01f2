using ContinuityHub.Features.Notifications;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// TEMPORARY, until the Notify outbox (issue #4 item 4, migration 0005) lands: registered only when no other
/// <see cref="INotificationOutbox"/> is, it logs each message's reference, template and recipient role (no
/// addresses, no personalisation) so the follow-up engine can run. It is not durable; remove it when the real
/// outbox is merged.
/// </summary>
public sealed class InterimNotificationOutbox(ILogger<InterimNotificationOutbox> logger) : INotificationOutbox
{
    public void Enqueue(OutboundEmail email) =>
        logger.LogInformation("Outbound email {Reference} ({TemplateKey} to {RecipientRole}) not queued: no notification outbox is configured yet",
            email.Reference, email.TemplateKey, email.RecipientRole);
}
