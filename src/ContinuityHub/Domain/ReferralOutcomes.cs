namespace ContinuityHub.Domain;

/// <summary>What a release notification did to the episode's referral (<see cref="Episode.DecideReferral"/>), answered and replayed to the sender.</summary>
public static class ReferralOutcomes
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string NoTreatmentNeed = "no-treatment-need";
    public const string NoConsent = "not-shared-no-consent";
    public const string ConsentWithdrawn = "cancelled-consent-withdrawn";
    public const string NoProviderForDestination = "no-provider-for-destination";
}
