using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ContinuityHub.Infrastructure.Delivery;

/// <summary>
/// The resilience strategies of an outbox's HTTP deliveries (provider push, Notify), outermost first: a total
/// timeout (half the claim's lease, so a send never outlives its claim), retries with jittered exponential
/// backoff, the circuit breaker, and the timeout of each attempt. What is retried and what counts against the
/// breaker are the caller's: a delivery whose repeat could duplicate a message retries less than one that cannot.
/// </summary>
public static class DeliveryPipeline
{
    /// <summary>Answers worth trying again later: 5xx, 408 and 429.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    public static ResiliencePipelineBuilder<T> AddDeliveryStrategies<T>(this ResiliencePipelineBuilder<T> builder, DeliveryOptions settings,
        PredicateBuilder<T> retryOn, PredicateBuilder<T> breakOn)
    {
        builder.AddTimeout(settings.Lease / 2);
        if (settings.RetriesPerDispatch > 0)
            builder.AddRetry(new RetryStrategyOptions<T>
            {
                ShouldHandle = retryOn,
                MaxRetryAttempts = settings.RetriesPerDispatch,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryDelay,
            });
        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<T>
            {
                ShouldHandle = breakOn,
                FailureRatio = settings.BreakerFailureRatio,
                MinimumThroughput = settings.BreakerMinimumThroughput,
                SamplingDuration = settings.BreakerSamplingDuration,
                BreakDuration = settings.BreakerBreakDuration,
            })
            .AddTimeout(settings.AttemptTimeout);
    }

    /// <summary>The short, data-free name of a failure that ended a delivery attempt, or null when it is not one of them.</summary>
    public static string? TransientError(Exception e) => e switch
    {
        BrokenCircuitException => "circuit open",
        TimeoutRejectedException => "timeout",
        HttpRequestException http => $"HttpRequestException ({http.HttpRequestError})",
        _ => null,
    };
}
