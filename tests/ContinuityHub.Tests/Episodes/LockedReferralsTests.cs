using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.Episodes;

/// <summary>
/// <see cref="EpisodeLedger.LockAndFindAsync"/> with referrals (the HMPPS event path): the person's referrals come in
/// the lock's round trip, and the ledger answers each episode's referral — or that it has none — without a query.
/// </summary>
public sealed class LockedReferralsTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task The_referrals_of_the_persons_episodes_are_read_with_the_lock_and_an_episode_without_one_needs_no_query()
    {
        var noms = Notifications.NewNomsNumber();
        // An earlier release only an HMPPS event told of (need unknown: no referral), and a referred one.
        var eventResponse = await HmppsEvents.PostAsync(hub.ClientFor(HubRoles.EventFeed), HmppsEvents.Release(noms, "2026-09-01T10:00:00Z"));
        eventResponse.EnsureSuccessStatusCode();
        var (referralId, referredEpisodeId) = await hub.SubmitReleaseAsync(Notifications.Example(nomsNumber: noms, releaseDate: "2026-12-01"));

        await using var scope = hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var ledger = scope.ServiceProvider.GetRequiredService<EpisodeLedger>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var found = await ledger.LockAndFindAsync(noms, CancellationToken.None, withReferrals: true);

        Assert.Equal(2, found.Episodes.Count);
        Assert.Equal(referralId, Assert.Single(db.Referrals.Local).Id);
        var unreferred = found.Episodes.Single(e => e.Id != referredEpisodeId);
        // Were the ledger to query, it would find this row (added behind its back): it does not query, it knows there was none.
        TestPostgres.Execute(hub.ConnectionString, $"""
            INSERT INTO referrals (id, episode_id, provider_ods, task_status, version, created_at, updated_at)
            VALUES ('{Guid.NewGuid()}', '{unreferred.Id}', 'EXS2SN', 'requested', 1, now(), now())
            """);
        Assert.Null(await ledger.ReferralOfAsync(unreferred, CancellationToken.None));
        Assert.Equal(referralId, (await ledger.ReferralOfAsync(found.Episodes.Single(e => e.Id == referredEpisodeId), CancellationToken.None))!.Id);
    }
}
