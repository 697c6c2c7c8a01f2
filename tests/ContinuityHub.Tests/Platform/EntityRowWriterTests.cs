using ContinuityHub.Data;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Platform;

/// <summary>
/// The hand-written unit-of-work write (EntityRowWriter): changed rows are guarded as EF Core guards them, a write that
/// loses a race commits nothing even when its COMMIT travels in the same batch, and a whole write is committed with it.
/// </summary>
public sealed class EntityRowWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly string connectionString = TestPostgres.CreateDatabase("writer");

    [Fact]
    public async Task A_whole_unit_of_work_is_written_and_committed_in_one_batch_and_the_tracker_is_emptied()
    {
        var (person, episode) = await SeedAsync();
        await using var db = NewContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var tracked = await db.Episodes.SingleAsync(e => e.Id == episode.Id);
        ChangeWithAudit(db, tracked);
        var queued = new QueuedStatements();
        queued.Add("UPDATE people SET crn = $1 WHERE id = $2", "X654321", person.Id);

        var result = await EntityRowWriter.WriteAsync(db, queued, CancellationToken.None, commit: true);

        Assert.Equal(EntityRowWriter.WriteResult.Committed, result);
        Assert.Empty(db.ChangeTracker.Entries());
        await using var other = NewContext(); // another connection sees it: committed
        var saved = await other.Episodes.AsNoTracking().SingleAsync(e => e.Id == episode.Id);
        Assert.Equal(("WDI", 2), (saved.PrisonCode, saved.Version));
        Assert.Equal("X654321", (await other.People.AsNoTracking().SingleAsync()).Crn);
        Assert.Equal(1, await other.AuditLog.CountAsync(a => a.ResourceId == episode.Id.ToString()));
    }

    [Fact]
    public async Task A_row_changed_since_it_was_read_fails_as_in_EF_Core_and_nothing_of_the_batch_is_committed()
    {
        var (_, episode) = await SeedAsync();
        await using var db = NewContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var tracked = await db.Episodes.SingleAsync(e => e.Id == episode.Id);
        await using (var other = NewContext()) // someone else moves the version on after it was read
            await other.Episodes.Where(e => e.Id == episode.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Version, 5));
        ChangeWithAudit(db, tracked);

        var failure = await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() =>
            EntityRowWriter.WriteAsync(db, new QueuedStatements(), CancellationToken.None, commit: true));
        await transaction.RollbackAsync();

        Assert.Same(tracked, Assert.Single(failure.Entries).Entity);
        await using var check = NewContext();
        var unchanged = await check.Episodes.AsNoTracking().SingleAsync(e => e.Id == episode.Id);
        Assert.Equal(("ONI", 5), (unchanged.PrisonCode, unchanged.Version));
        Assert.Equal(0, await check.AuditLog.CountAsync());
    }

    [Fact]
    public async Task A_row_deleted_since_it_was_read_fails_too()
    {
        var (_, episode) = await SeedAsync();
        await using var db = NewContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var tracked = await db.Episodes.SingleAsync(e => e.Id == episode.Id);
        await using (var other = NewContext())
            await other.Episodes.Where(e => e.Id == episode.Id).ExecuteDeleteAsync();
        tracked.PrisonCode = "WDI";

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => EntityRowWriter.WriteAsync(db, new QueuedStatements(), CancellationToken.None));
    }

    /// <summary>A unit of work with a changed row (prison moved, version bumped) and an added one (its audit entry).</summary>
    private static void ChangeWithAudit(HubDbContext db, Episode tracked)
    {
        tracked.PrisonCode = "WDI";
        tracked.Version++;
        db.Entry(new AuditEntry
        {
            Action = "test.write", ResourceType = "Episode", ResourceId = tracked.Id.ToString(), ActorSubject = "test", ActorRoles = "ADMIN",
            CorrelationId = "test", OccurredAt = Now,
        }).State = EntityState.Added;
    }

    private async Task<(Person, Episode)> SeedAsync()
    {
        var person = new Person { Id = Guid.CreateVersion7(), NomsNumber = "A1234BC", CreatedAt = Now, UpdatedAt = Now };
        var episode = new Episode
        {
            Id = Guid.CreateVersion7(), PersonId = person.Id, NomsNumber = person.NomsNumber, PrisonCode = "ONI", ReleaseDate = new DateOnly(2026, 12, 8),
            ReleaseDateSource = "planned-notification", Status = "open", Substances = [], CreatedAt = Now, UpdatedAt = Now, Version = 1,
        };
        await using var db = NewContext();
        db.AddRange(person, episode);
        await db.SaveChangesAsync();
        return (person, episode);
    }

    private HubDbContext NewContext() => new(new DbContextOptionsBuilder<HubDbContext>().UseNpgsql(connectionString).Options);
}
