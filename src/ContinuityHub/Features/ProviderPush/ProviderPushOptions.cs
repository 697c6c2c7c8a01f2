using ContinuityHub.Infrastructure.Delivery;

namespace ContinuityHub.Features.ProviderPush;

/// <summary>
/// Settings of the provider push (section "Hub:ProviderPush"; environment variables Hub__ProviderPush__…): the
/// hub's FHIR base URL, plus the polling, claim, timeout, retry, backoff and breaker settings of
/// <see cref="DeliveryOptions"/> (the circuit breaker is per provider).
/// </summary>
public sealed class ProviderPushOptions : DeliveryOptions
{
    /// <summary>The hub's FHIR base URL as providers reach it: MessageHeader.source.endpoint and the entries' fullUrl.</summary>
    public string HubFhirBaseUrl { get; set; } = "http://127.0.0.1:5080/fhir";

    /// <summary>Problems with the values, each naming the setting (checked at start-up).</summary>
    public IEnumerable<string> Problems()
    {
        if (!Uri.TryCreate(HubFhirBaseUrl, UriKind.Absolute, out var hub) || (hub.Scheme != "https" && hub.Scheme != "http"))
            yield return "Hub:ProviderPush:HubFhirBaseUrl must be an absolute http(s) URL.";
        foreach (var problem in DeliveryProblems("Hub:ProviderPush")) yield return problem;
    }
}
