using System.Linq.Expressions;
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

    /// <summary>Every delivery unit: ADMIN, or a PROBATION caller whose <c>pdu</c> claim is <c>*</c>.</summary>
    public bool AllPdus => IsAdmin || allPdus;

    /// <summary>The caller's delivery-unit codes, in capitals, without <c>*</c>.</summary>
    public string[] PduCodes => pdus.Where(c => c != "*").Distinct().ToArray();

    /// <summary>Whether the caller's delivery units include <paramref name="pduCode"/> (compared in capitals).</summary>
    public bool CoversPdu(string pduCode) => AllPdus || pdus.Contains(pduCode.ToUpperInvariant());

    /// <summary>The episodes the caller may see.</summary>
    public IQueryable<Episode> Episodes(HubDbContext db) => IsAdmin || allPdus ? db.Episodes : db.Episodes.Where(Visible(db.Referrals));

    /// <summary>
    /// The rule as one SQL condition made of only the parts the caller's roles bring (a delivery unit's caseload
    /// carries no provider EXISTS, a provider's inbox no prison test); no part at all → nothing.
    /// </summary>
    private Expression<Func<Episode, bool>> Visible(IQueryable<Referral> referrals)
    {
        var (prisonCodes, pduCodes, odsCodes) = (prisons, pdus, ods);
        var parts = new List<Expression<Func<Episode, bool>>>();
        if (allPrisons) parts.Add(e => e.PrisonCode != null);
        else if (prisonCodes.Length > 0) parts.Add(e => e.PrisonCode != null && prisonCodes.Contains(e.PrisonCode.ToUpper()));
        if (pduCodes.Length > 0) parts.Add(e => e.PduCode != null && pduCodes.Contains(e.PduCode.ToUpper()));
        if (odsCodes.Length > 0) parts.Add(e => e.ConsentToShare == true && referrals.Any(r => r.EpisodeId == e.Id && odsCodes.Contains(r.ProviderOds)));
        if (parts.Count == 0) return e => false;
        var episode = parts[0].Parameters[0];
        var body = parts.Skip(1).Aggregate(parts[0].Body, (either, part) =>
            Expression.OrElse(either, new ParameterSwap(part.Parameters[0], episode).Visit(part.Body)));
        return Expression.Lambda<Func<Episode, bool>>(body, episode);
    }

    private sealed class ParameterSwap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
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
