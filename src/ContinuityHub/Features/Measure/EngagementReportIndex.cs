using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContinuityHub.Features.Measure;

/// <summary>
/// The report's index (migration 0006): only episodes that can be in the cohort, by release date, carrying
/// every column the report reads, so a national report is an index-only scan of a narrow index rather than
/// a read of the wide episode rows.
/// </summary>
public sealed class EngagementReportIndex : IEntityTypeConfiguration<Episode>
{
    public const string Name = "ix_episodes_engagement_report";

    public void Configure(EntityTypeBuilder<Episode> episode) =>
        episode.HasIndex(e => e.ReleaseDate, Name)
            .IncludeProperties(e => new
            {
                e.EngagedOn, e.ExclusionReason, e.ExclusionDate, e.PrisonCode, e.LocalAuthorityCode, e.ProviderOds, e.SubstanceGroup,
            })
            .HasFilter(EngagementReportService.CohortPredicate);
}
