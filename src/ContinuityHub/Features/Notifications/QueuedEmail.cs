using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// One email in the durable outbox (table <c>notification_outbox</c>): what to send, to whom, and where its
/// delivery through GOV.UK Notify stands. <see cref="Reference"/> is unique: the idempotency key the hub gives
/// Notify, so a message is queued once and sent at most once.
/// </summary>
public sealed class QueuedEmail
{
    public Guid Id { get; set; }
    public required string Reference { get; set; }
    public required string TemplateKey { get; set; }
    public required string RecipientRole { get; set; }
    /// <summary>A staff mailbox, never the person's; null when the records hold none (the row is then undeliverable).</summary>
    public string? EmailAddress { get; set; }
    public Guid EpisodeId { get; set; }
    /// <summary>The template's personalisation as a JSON object of strings: identifiers and dates only.</summary>
    public required string Personalisation { get; set; }
    public string State { get; set; } = QueuedEmailStates.Pending;
    /// <summary>Dispatches that reached the point of calling Notify.</summary>
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>"HTTP 503", "HTTP 400 BadRequestError", "timeout", "no template id for 'x'"…: never a message body or personal data.</summary>
    public string? LastError { get; set; }
    /// <summary>Set by the node that claimed the row; only that node may record the outcome.</summary>
    public Guid? ClaimToken { get; set; }
    /// <summary>The claim lapses then, so a node that dies mid-send does not strand the row.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
    /// <summary>
    /// Set just before a POST to Notify and cleared when its answer is recorded. Still set when the row is
    /// claimed again means an earlier send may have reached Notify (node died, timed out, was stopped): the next
    /// node asks Notify for the reference before sending, so the email goes out at most once.
    /// </summary>
    public DateTimeOffset? InFlightSince { get; set; }
    /// <summary>The id Notify gave the notification (from its answer, or found by reference).</summary>
    public Guid? NotifyNotificationId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

public static class QueuedEmailStates
{
    /// <summary>Waiting to be sent (also while Notify is not configured: the row waits, visible, until it is).</summary>
    public const string Pending = "pending";
    /// <summary>Notify accepted it (or already had it under the same reference).</summary>
    public const string Sent = "sent";
    /// <summary>Notify refused it (a 4xx other than 429), or every attempt failed: not tried again.</summary>
    public const string Failed = "failed";
    /// <summary>It cannot be sent as it stands: no email address, or no Notify template id configured for its template key.</summary>
    public const string Undeliverable = "undeliverable";

    /// <summary>Not sent: it was for the provider and the person withdrew consent to sharing before it went (<see cref="ProviderMailWithheld"/>).</summary>
    public const string Withheld = "withheld";

    public static readonly IReadOnlyList<string> All = [Pending, Sent, Failed, Undeliverable, Withheld];
}

public sealed class QueuedEmailConfiguration : IEntityTypeConfiguration<QueuedEmail>
{
    public void Configure(EntityTypeBuilder<QueuedEmail> email)
    {
        email.ToTable("notification_outbox");
        email.HasOne<Episode>().WithMany().HasForeignKey(x => x.EpisodeId).OnDelete(DeleteBehavior.Restrict);
        email.HasIndex(x => x.Reference).IsUnique();
        email.HasIndex(x => x.EpisodeId);
        email.HasIndex(x => x.NextAttemptAt).HasFilter("state = 'pending'");
        email.Property(x => x.Personalisation).HasColumnType("jsonb");
    }
}
