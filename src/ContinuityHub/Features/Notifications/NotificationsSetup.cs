using Microsoft.Extensions.Options;
using Refit;

namespace ContinuityHub.Features.Notifications;

/// <summary>Contract §6's outbound emails through GOV.UK Notify, from a durable outbox (issue #4 item 4).</summary>
public static class NotificationsSetup
{
    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<NotifyOptions>(builder.Configuration.GetSection(NotifyOptions.Section));
        services.AddScoped<INotificationOutbox, NotificationOutbox>();
        services.AddScoped<QueuedEmailStore>();
        services.AddScoped<NotificationListing>();
        services.AddScoped<Episodes.IEpisodeChangeObserver, ProviderMailWithheld>();
        services.AddSingleton<NotifyPipeline>();
        services.AddSingleton<NotifyRateLimiter>();
        services.AddScoped<NotifyClient>();
        // Generated at build time (no reflection request builder). An error never carries the request body: it holds
        // the person's details in the personalisation.
        services.AddRefitGeneratedClient<INotifyApi>(new RefitSettings { CaptureRequestContent = false })
            .ConfigureHttpClient((provider, http) =>
            {
                // Options validation names a bad BaseUrl at start-up; until it is valid nothing is sent (no API key, no calls).
                if (Uri.TryCreate(provider.GetRequiredService<IOptions<NotifyOptions>>().Value.BaseUrl.TrimEnd('/'), UriKind.Absolute, out var baseUrl))
                    http.BaseAddress = baseUrl;
                // Timeouts are the pipeline's (per attempt and overall); HttpClient's own 100 s default would cut across them.
                http.Timeout = Timeout.InfiniteTimeSpan;
            });
        services.AddHostedService<NotifyDispatcher>();
    }
}
