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
        services.AddSingleton<NotifyPipeline>();
        services.AddSingleton<NotifyRateLimiter>();
        // Timeouts are the pipeline's (per attempt and overall); HttpClient's own 100 s default would cut across them.
        services.AddHttpClient<NotifyClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHostedService<NotifyDispatcher>();
    }
}
