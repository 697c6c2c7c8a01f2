using Refit;

namespace ContinuityHub.Features.ProviderPush;

/// <summary>
/// A provider's FHIR messaging endpoint as Refit builds it: one call, the message Bundle POSTed to the endpoint the
/// reviewed mappings name in full (e.g. <c>https://provider.example/fhir/$process-message</c>). Each provider's
/// client has that endpoint as its base address (<see cref="ProviderPushClient"/>), so the method's path is empty.
/// The answer comes back as an <see cref="IApiResponse"/>: a 3xx, 4xx or 5xx is a status to classify, never an exception.
/// </summary>
[Headers("Accept: application/fhir+json")]
public interface IProviderFhirApi
{
    /// <param name="bundle">The Bundle exactly as serialised (<c>application/fhir+json</c>).</param>
    /// <param name="correlationId">The Bundle's id: lets the provider's logs and ours meet without carrying anything personal.</param>
    [Post("")]
    Task<IApiResponse> ProcessMessageAsync([Body] HttpContent bundle, [Header("X-Correlation-Id")] string correlationId, CancellationToken cancellationToken);
}
