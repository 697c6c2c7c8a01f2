using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Mappings;

namespace ContinuityHub.Features.ProviderPush;

/// <summary>
/// Queues a push whenever a referral is created or gets a new version and its provider has a FHIR endpoint in
/// mappings/. It runs inside the change's own transaction (<see cref="EpisodeLedger.SaveChangesAsync"/>), so a
/// change is never committed without its push, nor a push without its change. Without the person's consent
/// (<see cref="ProviderConsent"/>: never given, or withdrawn) nothing is queued.
/// </summary>
public sealed class ProviderPushObserver(HubDbContext db, ReferenceData mappings, TimeProvider clock) : IEpisodeChangeObserver
{
    public Task OnEpisodeChangedAsync(Episode episode, Referral? referral, CancellationToken cancellationToken)
    {
        // New, or moved to a new version by this change: the episode may have changed without the referral changing.
        if (referral is null || !referral.HasNewVersion) return Task.CompletedTask;
        // Consent withdrawn: the referral is cancelled, and even that is not sent with the person's record.
        if (!ProviderConsent.Given(episode)) return Task.CompletedTask;
        if (mappings.Providers.GetValueOrDefault(referral.ProviderOds)?.FhirEndpoint is null) return Task.CompletedTask;
        var pushes = db.Set<ProviderPush>();
        if (pushes.Local.Any(p => p.ReferralId == referral.Id && p.ReferralVersion == referral.Version)) return Task.CompletedTask;

        var now = clock.GetUtcNow();
        pushes.Add(new ProviderPush
        {
            Id = Guid.CreateVersion7(),
            ReferralId = referral.Id,
            ReferralVersion = referral.Version,
            ProviderOds = referral.ProviderOds,
            State = ProviderPushStates.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        });
        return Task.CompletedTask;
    }
}
