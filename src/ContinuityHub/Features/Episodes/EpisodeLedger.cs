using ContinuityHub.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ContinuityHub.Features.Episodes;

/// <summary>A person under their lock, with every episode the hub holds for them; <see cref="Person"/> null when the hub does not know them yet.</summary>
public sealed record LockedPerson(string NomsNumber, Person? Person, IReadOnlyList<Episode> Episodes);

/// <summary>
/// Persistence for the domain's lifecycle (Domain/: the rules live on <see cref="Episode"/> and <see cref="Referral"/>):
/// the one way every intake path — notifications (API, CSV, form, probation) and HMPPS events — finds and locks a
/// person (<see cref="LockAndFindAsync"/>), and the unit of work that lets every <see cref="IEpisodeChangeObserver"/>
/// see each changed episode inside the change's own transaction (<see cref="SaveChangesAsync"/>).
/// </summary>
public sealed class EpisodeLedger(HubDbContext db, TimeProvider clock, IEnumerable<IEpisodeChangeObserver> observers, QueuedStatements queued)
{
    private readonly IEpisodeChangeObserver[] observers = observers.ToArray();
    // Episodes whose referral (or its absence) was read with the person's lock (LockAndFindAsync withReferrals).
    private readonly HashSet<Guid> referralsRead = [];

    // First key of the two-key advisory lock: namespaces the hub's per-person locks.
    public const int PersonLockNamespace = 0x4348;

    /// <summary>
    /// The per-person lock alone, for paths that reach the person through an episode or referral id (provider actions,
    /// exclusions, a follow-up): two changes to one person never interleave.
    /// </summary>
    public Task LockPersonAsync(string nomsNumber, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"SELECT pg_advisory_xact_lock({PersonLockNamespace}, hashtext({nomsNumber}))", cancellationToken);

    /// <summary>
    /// Takes the person's lock, then reads the person and all their episodes (tracked), sent as one batch: one database
    /// round trip. Each statement of the batch reads after the lock is held (READ COMMITTED takes a snapshot per
    /// statement), so the reads see whatever the previous holder of the lock committed. The caller works inside a
    /// transaction, so two messages about one person never race to open two episodes. Which episode a message is
    /// about is decided in code by the domain (<see cref="Episode.Mergeable"/>, <see cref="Episode.WindowHolding"/>).
    /// With <paramref name="withReferrals"/>, the referrals of those episodes come in the same round trip (tracked), so
    /// <see cref="ReferralOfAsync"/> needs no query of its own for them (the HMPPS event path always changes a referral).
    /// </summary>
    public async Task<LockedPerson> LockAndFindAsync(string nomsNumber, CancellationToken cancellationToken, bool withReferrals = false) =>
        (await LockAndFindManyAsync([nomsNumber], cancellationToken, withReferrals))[nomsNumber];

    /// <summary>
    /// <see cref="LockAndFindAsync"/> for several people at once (the intake's group commit: one unit of work for the
    /// notifications that arrived together), still one round trip. The locks are taken in one statement in the order
    /// of their keys, so two groups, or a group and a single message, never wait for each other in a cycle.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, LockedPerson>> LockAndFindManyAsync(IReadOnlyCollection<string> nomsNumbers,
        CancellationToken cancellationToken, bool withReferrals = false)
    {
        var numbers = nomsNumbers.Distinct(StringComparer.Ordinal).ToArray();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // One person (every single message) is looked up by equality, which PostgreSQL plans once per connection and
            // reuses; a list (`= ANY`) it plans afresh at every execution, since its estimate for a list of unknown length
            // never matches its estimate for the list given — worth it only when a group shares that one planning.
            var one = numbers.Length == 1;
            object key = one ? numbers[0] : numbers;
            var match = one ? "= $1" : "= ANY($1)";
            await using var batch = new NpgsqlBatch(connection) { Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction() };
            batch.BatchCommands.Add(new NpgsqlBatchCommand(one
                ? "SELECT pg_advisory_xact_lock($1, hashtext($2))"
                : "SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT hashtext(n) AS k FROM unnest($2::text[]) AS n ORDER BY k) AS keys")
            {
                Parameters = { new() { Value = PersonLockNamespace }, new() { Value = key } },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {EntityRowReader<Person>.Columns(db)} FROM people WHERE noms_number {match}")
            {
                Parameters = { new() { Value = key } },
            });
            // By person only, the windows applied in code: this statement is auto-prepared, and a generic plan made while
            // the table was small could take a release-date range to the release_date index and, as the table grew, read
            // every episode released around that date for each message (measured: docs/performance.md). A person has a
            // handful of episodes.
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {EntityRowReader<Episode>.Columns(db)} FROM episodes WHERE noms_number {match}")
            {
                Parameters = { new() { Value = key } },
            });
            if (withReferrals)
                batch.BatchCommands.Add(new NpgsqlBatchCommand(
                    $"SELECT {EntityRowReader<Referral>.Columns(db)} FROM referrals WHERE episode_id IN (SELECT id FROM episodes WHERE noms_number {match})")
                {
                    Parameters = { new() { Value = key } },
                });
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            var people = (await EntityRowReader<Person>.ReadAllAsync(db, reader, cancellationToken)).ToDictionary(p => p.NomsNumber, StringComparer.Ordinal);
            await reader.NextResultAsync(cancellationToken);
            var episodes = (await EntityRowReader<Episode>.ReadAllAsync(db, reader, cancellationToken)).ToLookup(e => e.NomsNumber, StringComparer.Ordinal);
            if (withReferrals)
            {
                await reader.NextResultAsync(cancellationToken);
                await EntityRowReader<Referral>.ReadAllAsync(db, reader, cancellationToken);
                referralsRead.UnionWith(episodes.SelectMany(e => e).Select(e => e.Id));
            }
            return numbers.ToDictionary(n => n, n => new LockedPerson(n, people.GetValueOrDefault(n), episodes[n].ToList()), StringComparer.Ordinal);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The locked person, added to the unit of work when the hub did not know them.</summary>
    public Person PersonOf(LockedPerson found)
    {
        if (found.Person is not null) return found.Person;
        var person = Person.New(found.NomsNumber, clock.GetUtcNow());
        // The entity alone: `Add` would also walk its navigations, which point only at rows already tracked.
        db.Entry(person).State = EntityState.Added;
        return person;
    }

    public Episode OpenEpisode(Person person, DateOnly releaseDate, string releaseDateSource)
    {
        var episode = Episode.Open(person, releaseDate, releaseDateSource, clock.GetUtcNow());
        db.Entry(episode).State = EntityState.Added;
        return episode;
    }

    /// <summary>A referral the domain created (<see cref="Episode.DecideReferral"/>), added to the unit of work.</summary>
    public void AddReferral(Referral referral)
    {
        var entry = db.Entry(referral);
        if (entry.State == EntityState.Detached) entry.State = EntityState.Added;
    }

    /// <summary>
    /// Saves the unit of work after letting every <see cref="IEpisodeChangeObserver"/> see each episode a transition
    /// changed (<see cref="Episode.HasChanges"/>), with its referral at its new version where the change shows on it,
    /// so their writes share the caller's transaction. Inside a transaction the whole unit of work — added rows,
    /// changed rows and the statements observers queued — goes in one round trip (<see cref="EntityRowWriter"/>); EF
    /// Core saves only what that cannot write.
    /// </summary>
    public Task SaveChangesAsync(CancellationToken cancellationToken) => SaveAsync(commit: false, cancellationToken);

    /// <summary>
    /// <see cref="SaveChangesAsync"/>, then commits <paramref name="transaction"/> — in the write's own round trip when the
    /// writer took the whole unit of work, so the commit costs no round trip of its own. The transaction is finished
    /// either way; a failed write leaves it to the caller to roll back, as before.
    /// </summary>
    public async Task SaveAndCommitAsync(IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        if (await SaveAsync(commit: true, cancellationToken)) await transaction.DisposeAsync();
        else await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Saves the unit of work; true when its COMMIT went with the write.</summary>
    private async Task<bool> SaveAsync(bool commit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        queued.Clear();
        // Changes are detected once, below: with automatic detection each look at the tracked rows (Local, by the
        // ledger and the observers) would scan them all first.
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            var changed = db.Episodes.Local.Where(e => e.HasChanges).ToList();
            var referrals = new List<Referral>();
            foreach (var episode in changed)
            {
                var referral = await ReferralOfAsync(episode, cancellationToken);
                if (referral is not null)
                {
                    episode.ShowChangesOn(referral, now);
                    referrals.Add(referral);
                }
                foreach (var observer in observers)
                    await observer.OnEpisodeChangedAsync(episode, referral, cancellationToken);
            }
            // Rows added in this unit of work are written from their current values whatever happened to them since:
            // only rows read from the database need comparing with their snapshots (on the intake of a new person, none).
            foreach (var entry in db.ChangeTracker.Entries().ToList())
                if (entry.State != EntityState.Added) entry.DetectChanges();
            var written = db.Database.CurrentTransaction is null ? EntityRowWriter.WriteResult.Partly
                : await EntityRowWriter.WriteAsync(db, queued, cancellationToken, commit);
            if (written == EntityRowWriter.WriteResult.Partly)
            {
                if (queued.TakeAll().Count > 0)
                    throw new InvalidOperationException("Observers queued statements outside a transaction; begin one first.");
                await db.SaveChangesAsync(cancellationToken);
            }
            foreach (var episode in changed) episode.ChangesSaved();
            foreach (var referral in referrals) referral.ChangesSaved();
            return written == EntityRowWriter.WriteResult.Committed;
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    /// <summary>The episode's referral (tracked: one already loaded or added in this unit of work first), or null.</summary>
    public async Task<Referral?> ReferralOfAsync(Episode episode, CancellationToken cancellationToken) =>
        db.Referrals.Local.FirstOrDefault(r => r.EpisodeId == episode.Id)
        ?? (db.Entry(episode).State == EntityState.Added || referralsRead.Contains(episode.Id) ? null
            : await db.Referrals.SingleOrDefaultAsync(r => r.EpisodeId == episode.Id, cancellationToken));
}
