using System.Text.Json;
using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

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
        var outbox = db.Set<QueuedEmail>();
        Validate(email);
        if (outbox.Local.Any(e => e.Reference == email.Reference)) return;
        // Synchronous because the interface is: one indexed look-up inside the caller's transaction, which also
        // sees rows the caller saved earlier in it.
        if (outbox.Any(e => e.Reference == email.Reference)) return;
        outbox.Add(Row(email, clock.GetUtcNow()));
    }

    public async Task EnqueueManyAsync(IReadOnlyCollection<OutboundEmail> emails, CancellationToken cancellationToken)
    {
        if (emails.Count == 0) return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("EnqueueManyAsync writes in the caller's transaction; begin one first.");
        foreach (var email in emails) Validate(email);
        var now = clock.GetUtcNow();
        var rows = emails.DistinctBy(e => e.Reference)
            .Where(e => !db.Set<QueuedEmail>().Local.Any(queued => queued.Reference == e.Reference))
            .Select(e => Row(e, now)).ToList();
        // One statement for the batch; a reference already queued (by an earlier transaction) is left as it is.
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO notification_outbox (id, reference, template_key, recipient_role, email_address, episode_id, personalisation,
                                             state, attempts, next_attempt_at, last_error, created_at)
            SELECT id, reference, template_key, recipient_role, email_address, episode_id, personalisation::jsonb,
                   state, 0, next_attempt_at, last_error, created_at
              FROM unnest(@ids, @references, @templateKeys, @roles, @addresses, @episodeIds, @personalisations,
                          @states, @nextAttempts, @errors, @created)
                   AS u(id, reference, template_key, recipient_role, email_address, episode_id, personalisation,
                        state, next_attempt_at, last_error, created_at)
            ON CONFLICT (reference) DO NOTHING
            """,
            [
                new NpgsqlParameter("ids", rows.Select(r => r.Id).ToArray()),
                new NpgsqlParameter("references", rows.Select(r => r.Reference).ToArray()),
                new NpgsqlParameter("templateKeys", rows.Select(r => r.TemplateKey).ToArray()),
                new NpgsqlParameter("roles", rows.Select(r => r.RecipientRole).ToArray()),
                new NpgsqlParameter("addresses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.EmailAddress).ToArray() },
                new NpgsqlParameter("episodeIds", rows.Select(r => r.EpisodeId).ToArray()),
                new NpgsqlParameter("personalisations", rows.Select(r => r.Personalisation).ToArray()),
                new NpgsqlParameter("states", rows.Select(r => r.State).ToArray()),
                new NpgsqlParameter("nextAttempts", rows.Select(r => r.NextAttemptAt).ToArray()),
                new NpgsqlParameter("errors", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.LastError).ToArray() },
                new NpgsqlParameter("created", rows.Select(r => r.CreatedAt).ToArray()),
            ],
            cancellationToken);
    }

    /// <summary>Programming errors, named without the values (which are ids, but the rule is simple: no data in messages).</summary>
    private static void Validate(OutboundEmail email)
    {
        ArgumentNullException.ThrowIfNull(email);
        if (string.IsNullOrWhiteSpace(email.Reference) || email.Reference.Length > 200)
            throw new ArgumentException("An outbound email needs a reference of 1 to 200 characters.", nameof(email));
        if (string.IsNullOrWhiteSpace(email.TemplateKey))
            throw new ArgumentException("An outbound email needs a template key.", nameof(email));
        if (string.IsNullOrWhiteSpace(email.RecipientRole))
            throw new ArgumentException("An outbound email needs a recipient role.", nameof(email));
    }

    private static QueuedEmail Row(OutboundEmail email, DateTimeOffset now)
    {
        var address = string.IsNullOrWhiteSpace(email.EmailAddress) ? null : email.EmailAddress.Trim();
        return new QueuedEmail
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
        };
    }
}

/// <summary>The reasons recorded in <see cref="QueuedEmail.LastError"/> that are not an HTTP answer.</summary>
public static class NotificationErrors
{
    public const string NoEmailAddress = "no email address for the recipient";
    public const string ConsentWithdrawn = "consent to sharing withdrawn";
    public static string NoTemplateId(string templateKey) => $"no Notify template id configured for '{templateKey}' (Hub:Notify:Templates)";
}
