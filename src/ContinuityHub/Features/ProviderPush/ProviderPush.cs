using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContinuityHub.Features.ProviderPush;

/// <summary>
/// One queued push of one referral version to its provider's FHIR endpoint (the outbox row). It holds ids
/// and delivery state only, never personal data: the message is built from the database when it is sent.
/// </summary>
public sealed class ProviderPush
{
    public Guid Id { get; set; }
    public Guid ReferralId { get; set; }
    public int ReferralVersion { get; set; }
    /// <summary>The provider the version was addressed to (an organisation's ODS code).</summary>
    public required string ProviderOds { get; set; }
    public string State { get; set; } = ProviderPushStates.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>"HTTP 503", "TimeoutRejectedException"…: a status or an exception type, never a message or a body.</summary>
    public string? LastError { get; set; }
    /// <summary>Set by the node that claimed the row; only that node may record the outcome.</summary>
    public Guid? ClaimToken { get; set; }
    /// <summary>The claim lapses then, so a node that dies mid-send does not strand the row.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

public static class ProviderPushStates
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    /// <summary>A newer version of the referral was queued before this one went out; that one carries the current state.</summary>
    public const string Superseded = "superseded";
    /// <summary>Given up: the provider refused the message (4xx), lost its endpoint, or every attempt failed.</summary>
    public const string Failed = "failed";
    /// <summary>Not sent: the person withdrew consent to sharing after it was queued (<see cref="Episodes.ProviderConsent"/>).</summary>
    public const string Withheld = "withheld";
}

public sealed class ProviderPushConfiguration : IEntityTypeConfiguration<ProviderPush>
{
    public void Configure(EntityTypeBuilder<ProviderPush> push)
    {
        push.ToTable("provider_pushes");
        push.HasOne<Referral>().WithMany().HasForeignKey(x => x.ReferralId).OnDelete(DeleteBehavior.Restrict);
        push.HasIndex(x => new { x.ReferralId, x.ReferralVersion }).IsUnique();
        push.HasIndex(x => x.NextAttemptAt).HasFilter("state = 'pending'");
    }
}
