using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;

namespace ContinuityHub.Security;

/// <summary>
/// The one rule of what a caller may see of people's records (contract §3, §6), used by every read path —
/// FHIR reads and searches, the JSON API, the outbox listing, the web pages — so they cannot drift apart:
/// <list type="bullet">
/// <item>ADMIN: everything;</item>
/// <item>PRISON_HEALTHCARE: episodes of the prisons in its <c>prisons</c> claim;</item>
/// <item>PROBATION: episodes of the delivery units in its <c>pdu</c> claim (<c>*</c> = all);</item>
/// <item>TREATMENT_PROVIDER: episodes whose referral is addressed to its <c>ods</c> code, and only while the
/// person consents to sharing (<see cref="ProviderConsent"/>): without consent, or once it is withdrawn,
/// nothing about the person reaches the provider.</item>
/// </list>
/// A caller with several roles sees the union. The caller's codes are compared in capitals (prison and delivery
/// unit codes as stored, in capitals too; ODS codes are stored in capitals from the mappings).
/// </summary>
public sealed class CallerScope
{
    private readonly string[] prisons;
    private readonly string[] pdus;
    private readonly string[] ods;
    private readonly bool allPrisons;
    private readonly bool allPdus;

    private CallerScope(HubUser user)
    {
        IsAdmin = user.IsIn(HubRoles.Admin);
        prisons = user.IsIn(HubRoles.PrisonHealthcare) ? Codes(user, HubClaims.Prisons) : [];
        pdus = user.IsIn(HubRoles.Probation) ? Codes(user, HubClaims.Pdu) : [];
        ods = user.IsIn(HubRoles.TreatmentProvider) ? Codes(user, HubClaims.Ods) : [];
        allPrisons = prisons.Contains("*");
        allPdus = pdus.Contains("*");
    }

    public static CallerScope Of(HubUser user) => new(user);

    public bool IsAdmin { get; }

    /// <summary>The episodes the caller may see.</summary>
    public IQueryable<Episode> Episodes(HubDbContext db)
    {
        var episodes = db.Episodes.AsQueryable();
        if (IsAdmin) return episodes;
        var (prisonCodes, pduCodes, odsCodes, anyPrison, anyPdu) = (prisons, pdus, ods, allPrisons, allPdus);
        var referrals = db.Referrals;
        return episodes.Where(e =>
            (e.PrisonCode != null && (anyPrison || prisonCodes.Contains(e.PrisonCode.ToUpper())))
            || (anyPdu || (e.PduCode != null && pduCodes.Contains(e.PduCode.ToUpper())))
            || (e.ConsentToShare == true && referrals.Any(r => r.EpisodeId == e.Id && odsCodes.Contains(r.ProviderOds))));
    }

    /// <summary>The referrals the caller may see (the same rule through the referral's episode).</summary>
    public IQueryable<Referral> Referrals(IQueryable<Referral> referrals)
    {
        if (IsAdmin) return referrals;
        var (prisonCodes, pduCodes, odsCodes, anyPrison, anyPdu) = (prisons, pdus, ods, allPrisons, allPdus);
        return referrals.Where(r =>
            (r.Episode!.PrisonCode != null && (anyPrison || prisonCodes.Contains(r.Episode.PrisonCode.ToUpper())))
            || (anyPdu || (r.Episode!.PduCode != null && pduCodes.Contains(r.Episode.PduCode.ToUpper())))
            || (r.Episode!.ConsentToShare == true && odsCodes.Contains(r.ProviderOds)));
    }

    /// <summary>
    /// The provider part alone: referrals addressed to the caller's organisation whose person consents (a
    /// provider's inbox). ODS codes are upper case in the mappings and so on every referral: compared as stored,
    /// the (provider_ods, task_status) index serves it.
    /// </summary>
    public IQueryable<Referral> ProviderReferrals(IQueryable<Referral> referrals)
    {
        var odsCodes = ods;
        return referrals.Where(r => odsCodes.Contains(r.ProviderOds) && r.Episode!.ConsentToShare == true);
    }

    /// <summary>The same rule for one episode in memory; <paramref name="referral"/> is its referral, if any.</summary>
    public bool MaySee(Episode episode, Referral? referral) =>
        IsAdmin
        || (episode.PrisonCode is not null && (allPrisons || prisons.Contains(episode.PrisonCode.ToUpperInvariant())))
        || allPdus || (episode.PduCode is not null && pdus.Contains(episode.PduCode.ToUpperInvariant()))
        || (referral is not null && MayActAsProvider(episode, referral));

    /// <summary>A provider may see and act on a referral addressed to it while the person consents.</summary>
    public bool MayActAsProvider(Episode episode, Referral referral) =>
        ProviderConsent.Given(episode) && ods.Contains(referral.ProviderOds.ToUpperInvariant());

    private static string[] Codes(HubUser user, string claim) => user.ScopeValues(claim).Select(c => c.ToUpperInvariant()).ToArray();
}
