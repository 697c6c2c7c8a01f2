using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Delivery;
using ContinuityHub.Mappings;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace ContinuityHub.Features.ProviderPush;

/// <summary>What became of one dispatch of a message. Errors are a status code or an exception type only.</summary>
public abstract record PushResult
{
    public sealed record Delivered(int StatusCode) : PushResult;
    /// <summary>Worth trying again later: 5xx, 408, 429, a timeout, a network failure, an open circuit.</summary>
    public sealed record Transient(string Error) : PushResult;
    /// <summary>The provider refused this message (another 4xx): sending it again would get the same answer.</summary>
    public sealed record Refused(string Error) : PushResult;
}

/// <summary>
/// The typed HttpClient that POSTs message Bundles to providers, each call through that provider's Polly
/// pipeline (<see cref="ProviderPushPipelines"/>).
/// </summary>
public sealed class ProviderPushClient(HttpClient http, ProviderPushPipelines pipelines)
{
    private static readonly MediaTypeWithQualityHeaderValue FhirJson = new("application/fhir+json");

    public async Task<PushResult> SendAsync(TreatmentProvider provider, string bundleId, string bundleJson, CancellationToken cancellationToken)
    {
        var pipeline = pipelines.For(provider.OdsCode);
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, provider.FhirEndpoint)
                {
                    Content = new StringContent(bundleJson, Encoding.UTF8, "application/fhir+json"),
                };
                request.Headers.Accept.Add(FhirJson);
                // Lets the provider's logs and ours meet without carrying anything personal.
                request.Headers.Add("X-Correlation-Id", bundleId);
                return await http.SendAsync(request, token);
            }, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return new PushResult.Delivered(status);
            if (status is >= 300 and < 400) return new PushResult.Refused($"HTTP {status} redirect not followed");
            return DeliveryPipeline.IsTransient(response.StatusCode)
                ? new PushResult.Transient($"HTTP {status}")
                : new PushResult.Refused($"HTTP {status}");
        }
        catch (Exception e) when (DeliveryPipeline.TransientError(e) is { } error)
        {
            return new PushResult.Transient(error);
        }
    }
}

/// <summary>
/// One resilience pipeline per provider, so one provider's outage opens only its own circuit. Outermost
/// first: a total timeout (half the claim's lease, so a send never outlives its claim), retries with jittered
/// exponential backoff, the circuit breaker, and the timeout of each attempt. Time comes from the hub's
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class ProviderPushPipelines(IOptions<HubOptions> options, TimeProvider clock)
{
    private readonly ProviderPushOptions settings = options.Value.ProviderPush;
    private readonly ResiliencePipelineRegistry<string> registry = new(new ResiliencePipelineRegistryOptions<string>
    {
        BuilderFactory = () => new ResiliencePipelineBuilder { TimeProvider = clock },
    });

    public ResiliencePipeline<HttpResponseMessage> For(string providerOds) => registry.GetOrAddPipeline<HttpResponseMessage>(providerOds, builder =>
    {
        // A provider de-duplicates by Bundle.id, so every transient failure, a timeout included, may be retried at once.
        var failure = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(response => DeliveryPipeline.IsTransient(response.StatusCode));
        builder.TimeProvider = clock;
        builder.AddDeliveryStrategies(settings, retryOn: failure, breakOn: failure);
    });
}
