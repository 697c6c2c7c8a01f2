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
using Refit;

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
/// POSTs message Bundles to providers through Refit (<see cref="IProviderFhirApi"/>), each call through that
/// provider's Polly pipeline (<see cref="ProviderPushPipelines"/>). Every provider has its own endpoint, so each send
/// builds a Refit client over an HttpClient from the factory (pooled handlers: no redirects followed, no timeout of
/// its own) whose base address is that endpoint (the generated implementation: no reflection per call).
/// </summary>
public sealed class ProviderPushClient(IHttpClientFactory clients, ProviderPushPipelines pipelines)
{
    /// <summary>The named HttpClient (<see cref="ProviderPushSetup"/>) the Refit clients run on.</summary>
    public const string HttpClientName = "provider-push";

    // An error never carries the request body: the Bundle is health data.
    private static readonly RefitSettings Settings = new() { CaptureRequestContent = false };

    public async Task<PushResult> SendAsync(TreatmentProvider provider, string bundleId, string bundleJson, CancellationToken cancellationToken)
    {
        var pipeline = pipelines.For(provider.OdsCode);
        var api = ApiFor(provider);
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                using var bundle = new StringContent(bundleJson, Encoding.UTF8, "application/fhir+json");
                return (await api.ProcessMessageAsync(bundle, bundleId, token)).ThrowRequestError();
            }, cancellationToken);
            var status = (int)(response.StatusCode ?? 0);
            if (response.IsSuccessStatusCode) return new PushResult.Delivered(status);
            if (status is >= 300 and < 400) return new PushResult.Refused($"HTTP {status} redirect not followed");
            return DeliveryPipeline.IsTransient(response.StatusCode ?? 0)
                ? new PushResult.Transient($"HTTP {status}")
                : new PushResult.Refused($"HTTP {status}");
        }
        catch (Exception e) when (DeliveryPipeline.TransientError(e) is { } error)
        {
            return new PushResult.Transient(error);
        }
    }

    private IProviderFhirApi ApiFor(TreatmentProvider provider)
    {
        var http = clients.CreateClient(HttpClientName);
        http.BaseAddress = provider.FhirEndpoint;
        return RestService.For<IProviderFhirApi>(http, Settings);
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

    public ResiliencePipeline<IApiResponse> For(string providerOds) => registry.GetOrAddPipeline<IApiResponse>(providerOds, builder =>
    {
        // A provider de-duplicates by Bundle.id, so every transient failure, a timeout included, may be retried at once.
        var failure = new PredicateBuilder<IApiResponse>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(response => response.StatusCode is { } status && DeliveryPipeline.IsTransient(status));
        builder.TimeProvider = clock;
        builder.AddDeliveryStrategies(settings, retryOn: failure, breakOn: failure);
    });
}
