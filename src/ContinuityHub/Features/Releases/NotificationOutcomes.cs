using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Features.People;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Releases;

/// <summary>What one notification led to: the episode, the person, and the referral or why there is none.</summary>
public sealed record NotificationOutcomeView(
    Guid NotificationId,
    DateTimeOffset ReceivedAt,
    string ReferralOutcome,
    string GivenName,
    string FamilyName,
    string NomsNumber,
    string? PrisonName,
    string? DestinationPostcode,
    string? LocalAuthorityName,
    EpisodeStatusView Status)
{
    /// <summary>The referral outcome in words, for a prison team: what was shared with whom, or why nothing was.</summary>
    public string Explanation => ReferralOutcome switch
    {
        ReferralOutcomes.Created => $"A referral was sent to {ProviderName}.",
        ReferralOutcomes.Updated => $"The release's referral to {ProviderName} was updated.",
        ReferralOutcomes.NoTreatmentNeed => "No referral was made: no substance was recorded, so there is no treatment need. The release is kept but not counted.",
        ReferralOutcomes.NoConsent => "No referral was made: the person did not consent to share. The release is tracked and counted, but nothing was sent to a provider.",
        ReferralOutcomes.ConsentWithdrawn => "The referral was cancelled: consent to share was withdrawn.",
        ReferralOutcomes.NoProviderForDestination => "No referral was made: no treatment provider in the mappings covers the destination. The release is tracked and counted.",
        _ => ReferralOutcome,
    };

    private string ProviderName => Status.Provider is { } provider ? provider.Name ?? provider.Ods : "the provider";
}

public abstract record NotificationOutcomeLookup
{
    public sealed record Found(NotificationOutcomeView View) : NotificationOutcomeLookup;
    public sealed record NotFound : NotificationOutcomeLookup;
    /// <summary>The notification exists but is outside the caller's prisons or delivery units.</summary>
    public sealed record Forbidden : NotificationOutcomeLookup;
}

/// <summary>Reads a notification's outcome for a person allowed to see it (<see cref="ReleaseEndpoints.MaySee"/>), audited.</summary>
public sealed class NotificationOutcomes(HubDbContext db, ReferenceData mappings, AuditTrail audit, TimeProvider clock)
{
    public async Task<NotificationOutcomeLookup> FindAsync(Guid notificationId, HubUser user, CancellationToken cancellationToken)
    {
        var stored = await db.ReleaseNotifications.AsNoTracking().SingleOrDefaultAsync(n => n.NotificationId == notificationId, cancellationToken);
        if (stored is null) return new NotificationOutcomeLookup.NotFound();
        var episode = await db.Episodes.AsNoTracking().Include(e => e.Person).SingleAsync(e => e.Id == stored.EpisodeId, cancellationToken);
        if (!ReleaseEndpoints.MaySee(user, episode)) return new NotificationOutcomeLookup.Forbidden();
        var referral = await db.Referrals.AsNoTracking().SingleOrDefaultAsync(r => r.EpisodeId == episode.Id, cancellationToken);

        audit.Record("release-notification.outcome.read", "Episode", episode.Id.ToString());
        await db.SaveChangesAsync(cancellationToken);

        var person = episode.Person!;
        var localAuthority = episode.LocalAuthorityCode is { } code ? mappings.LocalAuthorities.GetValueOrDefault(code)?.Name ?? code : null;
        return new NotificationOutcomeLookup.Found(new NotificationOutcomeView(
            stored.NotificationId, stored.ReceivedAt, stored.ReferralOutcome,
            person.GivenName ?? "", person.FamilyName ?? "", person.NomsNumber,
            episode.PrisonCode is { } prison ? mappings.Prisons.GetValueOrDefault(prison)?.Name ?? prison : null,
            episode.DestinationPostcode, localAuthority,
            EpisodeStatusView.Of(episode, person, referral, mappings, clock.GetUtcNow(), LondonTime.Today(clock))));
    }
}
