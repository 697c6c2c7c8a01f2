using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContinuityHub.Features.Episodes;

/// <summary>
/// The episode's history of moves between prisons or delivery units: a notification from outside the
/// episode's scope whose person's identity agreed (<see cref="IdentityAgreement"/>) moved it (table
/// <c>episode_transfers</c>).
/// </summary>
public sealed class EpisodeTransfer
{
    public Guid Id { get; set; }
    public Guid EpisodeId { get; set; }
    /// <summary><see cref="TransferKinds"/>: which scope the episode moved in.</summary>
    public required string Kind { get; set; }
    public string? FromCode { get; set; }
    public required string ToCode { get; set; }
    /// <summary><see cref="IdentityAgreement"/>'s name for what agreed: <c>nhs-number</c> or <c>date-of-birth-and-family-name</c>.</summary>
    public required string AgreedBy { get; set; }
    public Guid NotificationId { get; set; }
    public required string ActorSubject { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
}

public static class TransferKinds
{
    public const string Prison = "prison";
    public const string DeliveryUnit = "pdu";
}

public sealed class EpisodeTransferConfiguration : IEntityTypeConfiguration<EpisodeTransfer>
{
    public void Configure(EntityTypeBuilder<EpisodeTransfer> transfer)
    {
        transfer.ToTable("episode_transfers");
        transfer.HasOne<Episode>().WithMany().HasForeignKey(t => t.EpisodeId).OnDelete(DeleteBehavior.Restrict);
        transfer.HasIndex(t => t.EpisodeId);
    }
}
