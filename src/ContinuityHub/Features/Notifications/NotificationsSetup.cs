namespace ContinuityHub.Features.Notifications;

/// <summary>Contract §6's outbound emails through GOV.UK Notify, from a durable outbox (issue #4 item 4).</summary>
public static class NotificationsSetup
{
    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<NotifyOptions>(builder.Configuration.GetSection(NotifyOptions.Section));
        services.AddScoped<INotificationOutbox, NotificationOutbox>();
    }
}
