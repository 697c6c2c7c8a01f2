using ContinuityHub.Data;
using ContinuityHub.Security;

namespace ContinuityHub.Features.Referrals;

/// <summary>
/// Which referrals a TREATMENT_PROVIDER user may see and act on (contract §3, §6): those addressed to their
/// organisation (the token's or session's <c>ods</c> claim, as <see cref="HubUser.MayActForProvider"/> and
/// <see cref="ReferralActions"/> judge it), and only while the person's consent to share stands: nothing about
/// a person reaches a provider without it.
/// </summary>
public static class ProviderReferrals
{
    public static IQueryable<Referral> VisibleTo(this IQueryable<Referral> referrals, HubUser user)
    {
        if (!user.IsIn(HubRoles.TreatmentProvider)) return referrals.Where(_ => false);
        // ODS codes are upper case in the mappings (and so on every referral); compared as stored, the
        // (provider_ods, task_status) index serves the inbox.
        var ods = user.ScopeValues(HubClaims.Ods).Select(o => o.ToUpperInvariant()).Distinct().ToList();
        return referrals.Where(r => ods.Contains(r.ProviderOds) && r.Episode!.ConsentToShare == true);
    }

    /// <summary>The same rule for one loaded referral.</summary>
    public static bool MaySee(HubUser user, Referral referral, Episode episode) =>
        user.IsIn(HubRoles.TreatmentProvider) && user.MayActForProvider(referral.ProviderOds) && episode.ConsentToShare == true;
}
