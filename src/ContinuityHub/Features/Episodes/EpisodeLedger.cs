using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ContinuityHub.Features.Episodes;

/// <summary>
/// The one-episode-per-release rules shared by every intake path (notifications, batch rows, HMPPS
/// events). Callers work inside a transaction and call <see cref="LockPersonAsync"/> first, so two
/// messages about one person never race to open two episodes.
/// </summary>
public sealed class EpisodeLedger(HubDbContext db, TimeProvider clock, IEnumerable<IEpisodeChangeObserver> observers)
{
    private readonly IEpisodeChangeObserver[] observers = observers.ToArray();
    private readonly List<Episode> touched = [];

    /// <summary>Days either side of a release date within which another message is about the same release.</summary>
    public const int MergeWindowDays = 14;

    // First key of the two-key advisory lock: namespaces the hub's per-person locks.
    public const int PersonLockNamespace = 0x4348;

    public Task LockPersonAsync(string nomsNumber, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"SELECT pg_advisory_xact_lock({PersonLockNamespace}, hashtext({nomsNumber}))", cancellationToken);

    public async Task<Person> FindOrAddPersonAsync(string nomsNumber, CancellationToken cancellationToken)
    {
        var person = await db.People.SingleOrDefaultAsync(p => p.NomsNumber == nomsNumber, cancellationToken);
        return person ?? AddPerson(nomsNumber);
    }

    private Person AddPerson(string nomsNumber)
    {
        var now = clock.GetUtcNow();
        var person = new Person { Id = Guid.CreateVersion7(), NomsNumber = nomsNumber, CreatedAt = now, UpdatedAt = now };
        db.People.Add(person);
        return person;
    }

    /// <summary>The person's open episode whose release date is within 14 days of <paramref name="releaseDate"/>, nearest first.</summary>
    public async Task<Episode?> FindMergeableAsync(string nomsNumber, DateOnly releaseDate, CancellationToken cancellationToken)
    {
        var from = releaseDate.AddDays(-MergeWindowDays);
        var to = releaseDate.AddDays(MergeWindowDays);
        var candidates = await db.Episodes
            .Where(e => e.NomsNumber == nomsNumber && e.ReleaseDate >= from && e.ReleaseDate <= to
                        && (e.Status == EpisodeStatus.Open || e.Status == EpisodeStatus.Engaged))
            .ToListAsync(cancellationToken);
        return Nearest(candidates, releaseDate);
    }

    /// <summary>
    /// <see cref="LockPersonAsync"/>, then the person (added when new) and their mergeable episode for
    /// <paramref name="releaseDate"/> — the same answers as <see cref="FindOrAddPersonAsync"/> and
    /// <see cref="FindMergeableAsync"/> — sent as one batch: one database round trip instead of three on the
    /// intake's busiest path. Each statement of the batch reads after the lock is held (READ COMMITTED takes a
    /// snapshot per statement), so the reads see whatever the previous holder of the lock committed.
    /// </summary>
    public async Task<(Person Person, Episode? Mergeable)> LockAndFindPersonAsync(string nomsNumber, DateOnly releaseDate,
        CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch(connection) { Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction() };
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1, hashtext($2))")
            {
                Parameters = { new() { Value = PersonLockNamespace }, new() { Value = nomsNumber } },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {EntityRowReader<Person>.Columns(db)} FROM people WHERE noms_number = $1")
            {
                Parameters = { new() { Value = nomsNumber } },
            });
            // By person only, the 14 days applied below: this statement is auto-prepared, and a generic plan made
            // while the table was small could take a release-date range to the release_date index and, as the
            // table grew, read every episode released around that date for each notification (measured:
            // docs/performance.md). A person has a handful of episodes.
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"SELECT {EntityRowReader<Episode>.Columns(db)} FROM episodes WHERE noms_number = $1 AND status IN ($2, $3)")
            {
                Parameters = { new() { Value = nomsNumber }, new() { Value = EpisodeStatus.Open }, new() { Value = EpisodeStatus.Engaged } },
            });
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            var person = (await EntityRowReader<Person>.ReadAllAsync(db, reader, cancellationToken)).SingleOrDefault();
            await reader.NextResultAsync(cancellationToken);
            var candidates = (await EntityRowReader<Episode>.ReadAllAsync(db, reader, cancellationToken))
                .Where(e => Math.Abs(e.ReleaseDate.DayNumber - releaseDate.DayNumber) <= MergeWindowDays);
            return (person ?? AddPerson(nomsNumber), Nearest(candidates, releaseDate));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static Episode? Nearest(IEnumerable<Episode> candidates, DateOnly releaseDate) =>
        candidates.OrderBy(e => Math.Abs(e.ReleaseDate.DayNumber - releaseDate.DayNumber)).FirstOrDefault();

    public Episode OpenEpisode(Person person, DateOnly releaseDate, string releaseDateSource)
    {
        var now = clock.GetUtcNow();
        var episode = new Episode
        {
            Id = Guid.CreateVersion7(),
            PersonId = person.Id,
            Person = person,
            NomsNumber = person.NomsNumber,
            ReleaseDate = releaseDate,
            ReleaseDateSource = releaseDateSource,
            Status = EpisodeStatus.Open,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        db.Episodes.Add(episode);
        return episode;
    }

    /// <summary>Applies a release date under the precedence rules; true when the date moved.</summary>
    public static bool ApplyReleaseDate(Episode episode, DateOnly releaseDate, string source)
    {
        if (ReleaseDateSources.Authority(source) < ReleaseDateSources.Authority(episode.ReleaseDateSource)) return false;
        var moved = episode.ReleaseDate != releaseDate;
        episode.ReleaseDate = releaseDate;
        episode.ReleaseDateSource = source;
        return moved;
    }

    /// <summary>Marks the episode changed: a new version now, and its observers run at <see cref="SaveChangesAsync"/>.</summary>
    public void Touch(Episode episode)
    {
        episode.UpdatedAt = clock.GetUtcNow();
        if (db.Entry(episode).State != EntityState.Added) episode.Version++;
        if (!touched.Contains(episode)) touched.Add(episode);
    }

    /// <summary>
    /// Saves the unit of work after letting every <see cref="IEpisodeChangeObserver"/> see each touched
    /// episode, so their writes share the caller's transaction.
    /// </summary>
    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        foreach (var episode in touched)
        {
            var referral = await ReferralOfAsync(episode, cancellationToken);
            if (referral is not null) ReferralShowsChange(episode, referral);
            foreach (var observer in observers)
                await observer.OnEpisodeChangedAsync(episode, referral, cancellationToken);
        }
        touched.Clear();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The episode's referral (tracked: one already loaded or added in this unit of work first), or null.</summary>
    public async Task<Referral?> ReferralOfAsync(Episode episode, CancellationToken cancellationToken) =>
        db.Referrals.Local.FirstOrDefault(r => r.EpisodeId == episode.Id)
        ?? (db.Entry(episode).State == EntityState.Added ? null
            : await db.Referrals.SingleOrDefaultAsync(r => r.EpisodeId == episode.Id, cancellationToken));

    /// <summary>
    /// The episode fields that the referral's ServiceRequest and Task show (see FhirReferralMapper): when one
    /// changes, the referral is a new version, so its FHIR <c>meta.versionId</c>/<c>lastUpdated</c> and ETag
    /// change and providers are sent the new state.
    /// </summary>
    private static readonly string[] FieldsTheReferralShows =
    [
        nameof(Episode.ReleaseDate), nameof(Episode.Status), nameof(Episode.EngagedOn), nameof(Episode.Substances),
        nameof(Episode.SubstanceGroup), nameof(Episode.OstMedication), nameof(Episode.OstDailyDoseMg), nameof(Episode.OstLastDoseDate),
        nameof(Episode.OstBridgingPrescription), nameof(Episode.NaloxoneIssued), nameof(Episode.InTreatmentInCustody),
    ];

    private void ReferralShowsChange(Episode episode, Referral referral)
    {
        var referralEntry = db.Entry(referral);
        // A new referral, or one already moved to a new version in this unit of work, needs no second bump.
        if (referralEntry.State == EntityState.Added || referralEntry.Property(r => r.Version).IsModified) return;
        var episodeEntry = db.Entry(episode);
        if (episodeEntry.State != EntityState.Modified) return;
        if (!FieldsTheReferralShows.Any(name => episodeEntry.Property(name).IsModified)) return;
        referral.Version++;
        referral.UpdatedAt = clock.GetUtcNow();
    }
}
