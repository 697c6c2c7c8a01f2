using ContinuityHub.Data;
using ContinuityHub.Security;

namespace ContinuityHub.Features.Referrals;

/// <summary>
/// Which referrals a TREATMENT_PROVIDER user may see and act on (contract §3, §6): those addressed to their
/// organisation (the token's or session's <c>ods</c> claim, as <see cref="HubUser.MayActForProvider"/> and
/// <see cref="ReferralActions"/> judge it), and only while the person's consent to share stands: nothing about
/// a person reaches a provider without it. The rule is <see cref="CallerScope"/>'s, shared with every other read path.
/// </summary>
public static class ProviderReferrals
{
    public static IQueryable<Referral> VisibleTo(this IQueryable<Referral> referrals, HubUser user) =>
        CallerScope.Of(user).ProviderReferrals(referrals);

    /// <summary>The same rule for one loaded referral.</summary>
    public static bool MaySee(HubUser user, Referral referral, Episode episode) => CallerScope.Of(user).MayActAsProvider(episode, referral);
}
