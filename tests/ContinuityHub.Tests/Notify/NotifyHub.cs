using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace ContinuityHub.Tests.Notify;

/// <summary>
/// The hub sending its emails to <see cref="NotifyStub"/>, with dispatch timings short enough for tests and the
/// template key "reminder" configured ("no-template" is not). Without a stub it has no API key (the embedded
/// default); given a connection string, it is another node (or a restart) on that database.
/// </summary>
public sealed class NotifyHub : HubFactory
{
    public const string ReminderTemplateId = "f33517ff-2a88-4f6e-b855-c550268ce08a";

    private readonly NotifyStub? notify;
    private readonly bool dispatch;
    private readonly IReadOnlyDictionary<string, string> settings;
    private bool startFailed;

    /// <param name="settings">Settings over the test defaults, e.g. a bad one.</param>
    public NotifyHub(NotifyStub? notify, string? connectionString = null, bool dispatch = true, IReadOnlyDictionary<string, string>? settings = null)
        : base(connectionString ?? TestPostgres.CreateDatabase("notify"))
    {
        this.notify = notify;
        this.dispatch = dispatch;
        this.settings = settings ?? new Dictionary<string, string>();
        // Notify checks iat against its clock; the hub's clock is the test's.
        if (notify is not null) notify.HubNow = () => Clock.GetUtcNow();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (notify is not null)
        {
            builder.UseSetting("Hub:Notify:BaseUrl", notify.BaseUrl);
            builder.UseSetting("Hub:Notify:ApiKey", NotifyStub.ApiKey);
        }
        builder.UseSetting("Hub:Notify:Templates:reminder", ReminderTemplateId);
        builder.UseSetting("Hub:Notify:Enabled", dispatch ? "true" : "false");
        builder.UseSetting("Hub:Notify:PollInterval", "00:00:00.050");
        builder.UseSetting("Hub:Notify:AttemptTimeout", "00:00:01");
        builder.UseSetting("Hub:Notify:RetriesPerDispatch", "1");
        builder.UseSetting("Hub:Notify:RetryDelay", "00:00:00.020");
        builder.UseSetting("Hub:Notify:Lease", "00:00:30");
        builder.UseSetting("Hub:Notify:BackoffBase", "00:01:00");
        // Outage tests look at each failure; the breaker has a test of its own.
        builder.UseSetting("Hub:Notify:BreakerMinimumThroughput", "1000");
        foreach (var (name, value) in settings) builder.UseSetting(name, value);
    }

    /// <summary>Starts the hub expecting it to refuse (Program prints the message and ends; the log has the exception).</summary>
    public void StartExpectingFailure()
    {
        Assert.ThrowsAny<Exception>(() => CreateClient());
        startFailed = true;
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        catch (ArgumentNullException) when (startFailed)
        {
            // A host whose start-up threw cannot be stopped (see HubStartupTests); nothing is running.
        }
    }
}
