using System.Runtime.ExceptionServices;
using Refit;

namespace ContinuityHub.Infrastructure.Delivery;

/// <summary>What the Refit clients (GOV.UK Notify, the providers' FHIR endpoints) share about failures to send.</summary>
public static class RefitRequestErrors
{
    /// <summary>
    /// Refit hands back a failure to send (connection refused, a cancelled or timed-out attempt) inside the
    /// response; it is thrown again as it was so that the Polly pipeline's retry, breaker and timeout see it.
    /// </summary>
    public static T ThrowRequestError<T>(this T response) where T : IApiResponse
    {
        if (response.HasRequestError(out var requestError) && requestError.InnerException is { } cause)
            ExceptionDispatchInfo.Capture(cause).Throw();
        return response;
    }
}
