using System.Text;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Data;

/// <summary>
/// The EF model of the hub's schema. The schema itself is created by the versioned SQL in
/// Data/Migrations (see MigrationRunner); a test checks the two agree.
/// </summary>
public sealed class HubDbContext : DbContext, IDataProtectionKeyContext
{
    public HubDbContext(DbContextOptions<HubDbContext> options) : base(options)
    {
        // Every write path opens its own transaction and saves once; EF's savepoint around each SaveChanges
        // would only add two round trips per request.
        Database.AutoSavepointsEnabled = false;
    }

    public DbSet<Person> People => Set<Person>();
    public DbSet<Episode> Episodes => Set<Episode>();
    public DbSet<Referral> Referrals => Set<Referral>();
    public DbSet<ReleaseNotification> ReleaseNotifications => Set<ReleaseNotification>();
    public DbSet<HmppsEvent> HmppsEvents => Set<HmppsEvent>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    /// <summary>The web UI's cookie-protection key ring, shared by all nodes (Security/UiAuthentication).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Person>(e =>
        {
            e.ToTable("people");
            e.HasIndex(p => p.NomsNumber).IsUnique();
            e.HasIndex(p => p.Crn);
        });
        model.Entity<Episode>(e =>
        {
            e.ToTable("episodes");
            e.HasOne(x => x.Person).WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => new { x.NomsNumber, x.ReleaseDate });
            e.HasIndex(x => x.ReleaseDate);
            e.Property(x => x.OstDailyDoseMg).HasColumnType("numeric(8,2)");
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        model.Entity<Referral>(e =>
        {
            e.ToTable("referrals");
            e.HasOne(x => x.Episode).WithMany().HasForeignKey(x => x.EpisodeId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(x => x.EpisodeId).IsUnique();
            e.HasIndex(x => new { x.ProviderOds, x.TaskStatus });
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        model.Entity<ReleaseNotification>(e =>
        {
            e.ToTable("release_notifications");
            e.HasKey(x => x.NotificationId);
            e.Property(x => x.NotificationId).ValueGeneratedNever();
            e.Property(x => x.Payload).HasColumnType("jsonb");
            e.HasIndex(x => x.EpisodeId);
        });
        model.Entity<HmppsEvent>(e =>
        {
            e.ToTable("hmpps_events");
            e.HasIndex(x => x.DeduplicationKey).IsUnique();
            e.HasIndex(x => x.NomsNumber);
            e.HasIndex(x => x.MessageId).HasFilter("message_id IS NOT NULL");
            // An event is applied once: the write of its outcome holds only while it is still "received" (HmppsEventService).
            e.Property(x => x.Outcome).IsConcurrencyToken();
            e.Property(x => x.Payload).HasColumnType("jsonb");
            e.HasIndex(x => x.ParkedAt).HasFilter("parked_at IS NOT NULL");
        });
        model.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_log");
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
            e.HasIndex(x => new { x.ResourceType, x.ResourceId });
            e.HasIndex(x => x.OccurredAt);
            e.HasIndex(x => x.ActorSubject);
        });
        model.Entity<DataProtectionKey>(e =>
        {
            e.ToTable("data_protection_keys");
            e.Property(x => x.Id).UseIdentityByDefaultColumn();
        });
        // Feature folders that own tables (follow-ups, outboxes, …) describe them in IEntityTypeConfiguration
        // classes next to their code, so adding a table does not mean editing this file.
        model.ApplyConfigurationsFromAssembly(typeof(HubDbContext).Assembly);
        ApplySnakeCaseNames(model);
        ApplyTextLimits(model);
    }

    /// <summary>A CHECK constraint for each limited column (Data/TextLimits.cs; migration 0015 creates the same).</summary>
    private static void ApplyTextLimits(ModelBuilder model)
    {
        foreach (var (table, column, maxLength) in TextLimits.Columns)
        {
            var entity = model.Model.GetEntityTypes().Single(e => e.GetTableName() == table);
            entity.AddCheckConstraint(TextLimits.ConstraintName(table, column), $"char_length({column}) <= {maxLength}");
        }
    }

    /// <summary>PostgreSQL convention: snake_case columns, so hand-written SQL reads naturally.</summary>
    private static void ApplySnakeCaseNames(ModelBuilder model)
    {
        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
                property.SetColumnName(ToSnakeCase(property.Name));
            foreach (var key in entity.GetKeys())
                key.SetName($"pk_{entity.GetTableName()}");
            foreach (var foreignKey in entity.GetForeignKeys())
                foreignKey.SetConstraintName($"fk_{entity.GetTableName()}_{ToSnakeCase(foreignKey.Properties[0].Name)}");
            // A named index (a feature's own, such as the report's partial index) keeps its name.
            foreach (var index in entity.GetIndexes().Where(i => i.Name is null))
                index.SetDatabaseName($"ix_{entity.GetTableName()}_{string.Join('_', index.Properties.Select(p => ToSnakeCase(p.Name)))}");
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]))) builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}
