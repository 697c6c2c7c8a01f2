using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContinuityHub.Features.People;

/// <summary>
/// The caseload's index (migration 0050): a delivery unit's releases by date. Unit codes are stored as sent and compared
/// in capitals, so the index is on a stored generated column holding the code in capitals (EF cannot describe an index
/// on an expression; a generated column it can), which <see cref="CaseloadSql"/> reads.
/// </summary>
public sealed class CaseloadIndex : IEntityTypeConfiguration<Episode>
{
    public const string Name = "ix_episodes_caseload";

    /// <summary>The shadow property of the generated column <see cref="Column"/>: never written by the hub.</summary>
    public const string UnitProperty = "PduCodeUpper";
    public const string Column = "pdu_code_upper";

    public void Configure(EntityTypeBuilder<Episode> episode)
    {
        episode.Property<string?>(UnitProperty).HasComputedColumnSql("upper(pdu_code)", stored: true);
        episode.HasIndex([UnitProperty, nameof(Episode.ReleaseDate)], Name);
    }
}
