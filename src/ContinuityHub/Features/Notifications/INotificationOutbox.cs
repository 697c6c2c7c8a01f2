namespace ContinuityHub.Features.Notifications;

/// <summary>Who an outbound message is for (contract §6's recipients).</summary>
public static class RecipientRoles
{
    public const string Provider = "provider";
    public const string PrisonTeam = "prison-team";
    public const string Probation = "probation";
}

/// <summary>
/// One email the hub must send through GOV.UK Notify. <paramref name="Reference"/> is the idempotency key
/// (Notify's <c>reference</c>): the same reference is queued and sent at most once. <paramref name="EmailAddress"/>
/// is a staff mailbox (never the person's); null when the records hold none, and then the message stays
/// visible in the outbox as undeliverable. <paramref name="Personalisation"/> fills the template: identifiers
/// and dates only, never names, dates of birth, NHS numbers or addresses.
/// </summary>
public sealed record OutboundEmail(
    string Reference,
    string TemplateKey,
    string RecipientRole,
    string? EmailAddress,
    Guid EpisodeId,
    IReadOnlyDictionary<string, string> Personalisation);

/// <summary>
/// The durable outbox of outbound emails. <see cref="Enqueue"/> adds the message to the caller's
/// <see cref="Data.HubDbContext"/> unit of work, so it commits in the same transaction as the change that
/// caused it (or not at all); a dispatcher sends it later.
/// </summary>
public interface INotificationOutbox
{
    void Enqueue(OutboundEmail email);

    /// <summary>
    /// Queues many emails with one statement, written at once in the caller's open transaction (so it commits or
    /// rolls back with the caller's change, like <see cref="Enqueue"/>); a reference already queued is skipped.
    /// For batches (the follow-up sweep), where one look-up per email would cost more than the emails.
    /// </summary>
    Task EnqueueManyAsync(IReadOnlyCollection<OutboundEmail> emails, CancellationToken cancellationToken);
}
