using System.Text.Json;
using ContinuityHub.Data;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// Queues emails in the caller's unit of work (<see cref="INotificationOutbox"/>): the row is saved by the
/// caller's SaveChanges, in its transaction, or not at all. A reference already queued — earlier in this unit
/// of work or in the database — is not queued again; the unique index on <c>reference</c> is the backstop for
/// two transactions queuing the same reference at the same moment (the later one fails and its caller retries,
/// then finds the row).
/// </summary>
public sealed class NotificationOutbox(HubDbContext db, TimeProvider clock) : INotificationOutbox
{
    public void Enqueue(OutboundEmail email)
    {
        ArgumentNullException.ThrowIfNull(email);
        // Programming errors, named without the values (which are ids, but the rule is simple: no data in messages).
        if (string.IsNullOrWhiteSpace(email.Reference) || email.Reference.Length > 200)
            throw new ArgumentException("An outbound email needs a reference of 1 to 200 characters.", nameof(email));
        if (string.IsNullOrWhiteSpace(email.TemplateKey))
            throw new ArgumentException("An outbound email needs a template key.", nameof(email));
        if (string.IsNullOrWhiteSpace(email.RecipientRole))
            throw new ArgumentException("An outbound email needs a recipient role.", nameof(email));

        var outbox = db.Set<QueuedEmail>();
        if (outbox.Local.Any(e => e.Reference == email.Reference)) return;
        // Synchronous because the interface is: one indexed look-up inside the caller's transaction, which also
        // sees rows the caller saved earlier in it.
        if (outbox.Any(e => e.Reference == email.Reference)) return;

        var now = clock.GetUtcNow();
        var address = string.IsNullOrWhiteSpace(email.EmailAddress) ? null : email.EmailAddress.Trim();
        outbox.Add(new QueuedEmail
        {
            Id = Guid.CreateVersion7(),
            Reference = email.Reference,
            TemplateKey = email.TemplateKey,
            RecipientRole = email.RecipientRole,
            EmailAddress = address,
            EpisodeId = email.EpisodeId,
            Personalisation = JsonSerializer.Serialize(email.Personalisation ?? new Dictionary<string, string>()),
            // No address: nothing to send to, visible as such rather than retried.
            State = address is null ? QueuedEmailStates.Undeliverable : QueuedEmailStates.Pending,
            LastError = address is null ? NotificationErrors.NoEmailAddress : null,
            NextAttemptAt = now,
            CreatedAt = now,
        });
    }
}

/// <summary>The reasons recorded in <see cref="QueuedEmail.LastError"/> that are not an HTTP answer.</summary>
public static class NotificationErrors
{
    public const string NoEmailAddress = "no email address for the recipient";
    public static string NoTemplateId(string templateKey) => $"no Notify template id configured for '{templateKey}' (Hub:Notify:Templates)";
}
