using ContinuityHub.Features.Episodes;

namespace ContinuityHub.Features.ProviderPush;

/// <summary>Contract §5's push of new and changed referrals to providers with a FHIR endpoint (issue #3).</summary>
public static class ProviderPushSetup
{
    public static void AddProviderPush(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<IEpisodeChangeObserver, ProviderPushObserver>();
        services.AddScoped<ProviderPushOutbox>();
        services.AddSingleton<ProviderMessageBuilder>();
        services.AddSingleton<ProviderPushPipelines>();
        services.AddSingleton<ProviderPushClient>();
        // The HttpClient under each provider's Refit client. Timeouts are the pipeline's (per attempt and overall);
        // HttpClient's own 100 s default would cut across them.
        services.AddHttpClient(ProviderPushClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            // A redirect is the provider's configuration changing under us: the message (health data) goes only to
            // the reviewed endpoint in mappings/, so a 3xx is an answer (a refusal), not a new address to send it to.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddHostedService<ProviderPushDispatcher>();
    }
}
