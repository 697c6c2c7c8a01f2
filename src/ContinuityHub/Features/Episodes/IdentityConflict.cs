using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContinuityHub.Features.Episodes;

/// <summary>
/// A message refused because it would have changed a record outside its sender's scope and the person's
/// identity did not agree (table <c>identity_conflicts</c>, listed for ADMIN by the data-quality report).
/// Ids and field names only: never the values that disagreed.
/// </summary>
public sealed class IdentityConflict
{
    public Guid Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary><see cref="ConflictChannels"/>: how the message came.</summary>
    public required string Channel { get; set; }
    /// <summary><see cref="ConflictReasons"/>.</summary>
    public required string Reason { get; set; }
    /// <summary>Which identity fields disagreed, by name (e.g. <c>nhsNumber,dateOfBirth</c>).</summary>
    public string? DisagreeingFields { get; set; }
    public Guid? PersonId { get; set; }
    public Guid? EpisodeId { get; set; }
    public Guid? NotificationId { get; set; }
    public Guid? EventId { get; set; }
    public required string ActorSubject { get; set; }
    public required string ActorRoles { get; set; }
    public string? CorrelationId { get; set; }
}

public static class ConflictChannels
{
    public const string ReleaseNotification = "release-notification";
    public const string HmppsEvent = "hmpps-event";
}

public static class ConflictReasons
{
    /// <summary>A notification about a person or episode outside the sender's scope, with an identity that does not agree.</summary>
    public const string IdentityDisagrees = "identity-disagrees";
    /// <summary>An event linking a NOMS number to a CRN other than the one the hub holds (or a CRN held by another person).</summary>
    public const string CrnRelink = "crn-relink";
}

public sealed class IdentityConflictConfiguration : IEntityTypeConfiguration<IdentityConflict>
{
    public void Configure(EntityTypeBuilder<IdentityConflict> conflict)
    {
        conflict.ToTable("identity_conflicts");
        conflict.HasIndex(c => c.OccurredAt);
    }
}

/// <summary>Adds identity conflicts to the caller's unit of work, with who sent the message and the request's correlation id.</summary>
public sealed class IdentityConflictLog(Data.HubDbContext db, Audit.CurrentActor actor, TimeProvider clock)
{
    public IdentityConflict Add(string channel, string reason, IReadOnlyList<string> disagreeingFields,
        Guid? personId, Guid? episodeId, Guid? notificationId = null, Guid? eventId = null)
    {
        var by = actor.Get();
        var conflict = new IdentityConflict
        {
            Id = Guid.CreateVersion7(),
            OccurredAt = clock.GetUtcNow(),
            Channel = channel,
            Reason = reason,
            DisagreeingFields = disagreeingFields.Count == 0 ? null : string.Join(',', disagreeingFields),
            PersonId = personId,
            EpisodeId = episodeId,
            NotificationId = notificationId,
            EventId = eventId,
            ActorSubject = by.Subject,
            ActorRoles = by.Roles,
            CorrelationId = by.CorrelationId,
        };
        db.Set<IdentityConflict>().Add(conflict);
        return conflict;
    }
}
