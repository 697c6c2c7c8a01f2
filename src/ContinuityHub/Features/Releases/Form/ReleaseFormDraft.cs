using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContinuityHub.Features.Releases.Form;

/// <summary>
/// A "Notify a release" form in progress, kept in the database so the answers (personal data) never travel
/// in a URL or a cookie and any hub node can serve the next step. It belongs to the person who started it,
/// holds the notificationId the hub chose for it (a double submit is then a replay), and is emptied once sent.
/// </summary>
public sealed class ReleaseFormDraft
{
    public Guid Id { get; set; }
    /// <summary>The <c>sub</c> of the person filling it in: nobody else may open it.</summary>
    public required string OwnerSubject { get; set; }
    public Guid NotificationId { get; set; }
    /// <summary><see cref="ReleaseFormAnswers"/> as JSON; <c>{}</c> once sent.</summary>
    public required string Answers { get; set; }
    public DateTimeOffset? SubmittedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Unsent answers are deleted after this (a day after the last change).</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}

public sealed class ReleaseFormDraftConfiguration : IEntityTypeConfiguration<ReleaseFormDraft>
{
    public void Configure(EntityTypeBuilder<ReleaseFormDraft> draft)
    {
        draft.ToTable("release_form_drafts");
        draft.Property(x => x.Id).ValueGeneratedNever();
        draft.Property(x => x.Answers).HasColumnType("jsonb");
        draft.HasIndex(x => x.ExpiresAt);
    }
}
