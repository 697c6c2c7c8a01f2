using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// One planned §6 follow-up of one episode: the truth of what is planned and what happened to it. The recurring
/// Hangfire job (<see cref="FollowUpSweep"/>) reads the due rows straight from this table and acts only through
/// a claim on the row, so the row decides whether anything happens. Ids, times and states only.
/// </summary>
public sealed class FollowUp
{
    public Guid Id { get; set; }
    public Guid EpisodeId { get; set; }
    /// <summary>A <see cref="FollowUpCheckpoints"/> code (day-before-release, …, window-close).</summary>
    public required string Checkpoint { get; set; }
    /// <summary>When the checkpoint falls due (from <see cref="FollowUpSchedule"/>).</summary>
    public DateTimeOffset DueAt { get; set; }
    /// <summary>When it is run: the due time, or later while a failed run waits for its retry.</summary>
    public DateTimeOffset FireAt { get; set; }
    public string State { get; set; } = FollowUpStates.Scheduled;
    /// <summary>What the run did or why nothing was done ("2 emails queued", "referral accepted"): codes, no personal data.</summary>
    public string? Outcome { get; set; }
    public int Attempts { get; set; }
    /// <summary>The exception type of the last failed run, never its message.</summary>
    public string? LastError { get; set; }
    public DateTimeOffset? RanAt { get; set; }
    /// <summary>Bumped by every re-plan (and a failed run): two writers of one plan never overwrite each other unseen.</summary>
    public int PlanVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class FollowUpStates
{
    /// <summary>Planned; the sweep runs it once <see cref="FollowUp.FireAt"/> has passed.</summary>
    public const string Scheduled = "scheduled";
    /// <summary>Ran and did its effect (emails queued; at window close, the outcome recorded).</summary>
    public const string Done = "done";
    /// <summary>Ran, but its condition no longer held (accepted, engaged…), or it was already past when first planned.</summary>
    public const string Skipped = "skipped";
    /// <summary>No longer wanted: the person engaged, was excluded, or the episode was closed before it fell due.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>Every attempt failed (see <see cref="FollowUp.LastError"/>).</summary>
    public const string Failed = "failed";
}

public sealed class FollowUpConfiguration : IEntityTypeConfiguration<FollowUp>
{
    public void Configure(EntityTypeBuilder<FollowUp> followUp)
    {
        followUp.ToTable("follow_ups");
        followUp.HasOne<Episode>().WithMany().HasForeignKey(x => x.EpisodeId).OnDelete(DeleteBehavior.Restrict);
        followUp.HasIndex(x => new { x.EpisodeId, x.Checkpoint }).IsUnique();
        followUp.HasIndex(x => x.DueAt).HasFilter("state = 'scheduled'");
        // The sweep's queue: scheduled rows by fire time (it takes those whose time has come, oldest first).
        followUp.HasIndex(x => x.FireAt).HasFilter("state = 'scheduled'");
        followUp.HasIndex(x => x.UpdatedAt);
        followUp.Property(x => x.PlanVersion).IsConcurrencyToken();
    }
}
