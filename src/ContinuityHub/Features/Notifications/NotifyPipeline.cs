using System.Net;
using ContinuityHub.Infrastructure.Delivery;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace ContinuityHub.Features.Notifications;

/// <summary>One answer of Notify as the pipeline sees it: the HTTP status, Notify's error code, the notification's id.</summary>
public sealed record NotifyAnswer(HttpStatusCode Status, string? ErrorCode = null, Guid? NotificationId = null, bool FoundByReference = false);

/// <summary>
/// The resilience pipeline of every call to Notify (one service, so one circuit): the shared delivery strategies
/// (<see cref="DeliveryPipeline"/>). Immediate retries only after answers that say Notify finished with the
/// request (5xx, 429) or a connection that was never made; a timeout or a connection lost mid-request may
/// leave Notify still creating the email, so that row waits for its backoff and is then looked up by
/// reference before anything is sent again. All of them count against the breaker.
/// </summary>
public sealed class NotifyPipeline
{
    public NotifyPipeline(IOptions<NotifyOptions> options, TimeProvider clock)
    {
        var retryOn = new PredicateBuilder<NotifyAnswer>()
            .Handle<HttpRequestException>(e => e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
            .HandleResult(answer => DeliveryPipeline.IsTransient(answer.Status) && answer.Status != HttpStatusCode.RequestTimeout);
        var breakOn = new PredicateBuilder<NotifyAnswer>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(answer => DeliveryPipeline.IsTransient(answer.Status));
        Pipeline = new ResiliencePipelineBuilder<NotifyAnswer> { TimeProvider = clock }
            .AddDeliveryStrategies(options.Value, retryOn, breakOn)
            .Build();
    }

    public ResiliencePipeline<NotifyAnswer> Pipeline { get; }
}
