namespace ContinuityHub.Domain;

/// <summary>
/// Contract §4.1, §6: nothing about a person reaches the treatment provider without their consent. Consent is
/// the latest notification's <c>consentToShare</c>; unknown (only HMPPS events so far) is no consent. One rule
/// for every way something could reach the provider: what the provider may read
/// (<c>Security.CallerScope</c>), follow-up emails (the provider is not among the recipients), FHIR
/// pushes (none queued or sent), and emails queued before a withdrawal (withheld).
/// </summary>
public static class ProviderConsent
{
    public static bool Given(Episode episode) => episode.ConsentToShare == true;
}
