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
public sealed class EpisodeLedger(HubDbContext db, TimeProvider clock, IEnumerable<IEpisodeChangeObserver> observers)
{
    private readonly IEpisodeChangeObserver[] observers = observers.ToArray();

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
    /// </summary>
    public async Task<LockedPerson> LockAndFindAsync(string nomsNumber, CancellationToken cancellationToken)
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
            // By person only, the windows applied in code: this statement is auto-prepared, and a generic plan made while
            // the table was small could take a release-date range to the release_date index and, as the table grew, read
            // every episode released around that date for each message (measured: docs/performance.md). A person has a
            // handful of episodes.
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {EntityRowReader<Episode>.Columns(db)} FROM episodes WHERE noms_number = $1")
            {
                Parameters = { new() { Value = nomsNumber } },
            });
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            var person = (await EntityRowReader<Person>.ReadAllAsync(db, reader, cancellationToken)).SingleOrDefault();
            await reader.NextResultAsync(cancellationToken);
            var episodes = await EntityRowReader<Episode>.ReadAllAsync(db, reader, cancellationToken);
            return new LockedPerson(nomsNumber, person, episodes);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// <see cref="LockAndFindAsync"/> for a message about a release on <paramref name="releaseDate"/>: the person (added
    /// when new) and the episode the message merges into, if any.
    /// </summary>
    public async Task<(Person Person, Episode? Mergeable)> LockAndFindPersonAsync(string nomsNumber, DateOnly releaseDate,
        CancellationToken cancellationToken)
    {
        var found = await LockAndFindAsync(nomsNumber, cancellationToken);
        return (PersonOf(found), Episode.Mergeable(found.Episodes, releaseDate));
    }

    /// <summary>The locked person, added to the unit of work when the hub did not know them.</summary>
    public Person PersonOf(LockedPerson found)
    {
        if (found.Person is not null) return found.Person;
        var person = Person.New(found.NomsNumber, clock.GetUtcNow());
        db.People.Add(person);
        return person;
    }

    public Episode OpenEpisode(Person person, DateOnly releaseDate, string releaseDateSource)
    {
        var episode = Episode.Open(person, releaseDate, releaseDateSource, clock.GetUtcNow());
        db.Episodes.Add(episode);
        return episode;
    }

    /// <summary>A referral the domain created (<see cref="Episode.DecideReferral"/>), added to the unit of work.</summary>
    public void AddReferral(Referral referral)
    {
        if (db.Entry(referral).State == EntityState.Detached) db.Referrals.Add(referral);
    }

    /// <summary>
    /// Saves the unit of work after letting every <see cref="IEpisodeChangeObserver"/> see each episode a transition
    /// changed (<see cref="Episode.HasChanges"/>), with its referral at its new version where the change shows on it,
    /// so their writes share the caller's transaction.
    /// </summary>
    public async Task SaveChangesAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
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
        await db.SaveChangesAsync(cancellationToken);
        foreach (var episode in changed) episode.ChangesSaved();
        foreach (var referral in referrals) referral.ChangesSaved();
    }

    /// <summary>The episode's referral (tracked: one already loaded or added in this unit of work first), or null.</summary>
    public async Task<Referral?> ReferralOfAsync(Episode episode, CancellationToken cancellationToken) =>
        db.Referrals.Local.FirstOrDefault(r => r.EpisodeId == episode.Id)
        ?? (db.Entry(episode).State == EntityState.Added ? null
            : await db.Referrals.SingleOrDefaultAsync(r => r.EpisodeId == episode.Id, cancellationToken));
}
