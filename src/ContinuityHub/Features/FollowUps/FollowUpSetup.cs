using ContinuityHub.Features.Episodes;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Postgres;
using Npgsql;
using Quartz;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// The 21-day follow-up engine (contract §6, issue #4): the planner that keeps follow_ups in line with each
/// episode, Quartz.NET on a clustered persistent store in the hub's own PostgreSQL to fire them, the trigger
/// synchroniser, the job, the ADMIN list and two readiness checks (the scheduler; nothing overdue).
/// </summary>
public static class FollowUpSetup
{
    /// <summary>The one durable job every follow-up trigger fires; a firing cut short by a crash is recovered.</summary>
    public static readonly IJobDetail JobDetail = JobBuilder.Create<FollowUpJob>()
        .WithIdentity(FollowUpJob.Key)
        .StoreDurably()
        .RequestRecovery()
        .WithDescription("Runs one follow-up (trigger job data: followUpId)")
        .Build();

    /// <summary>
    /// The hub's scheduler is a named one so that its parts — its clock above all — are its own rather than
    /// the container's: the default scheduler would take the container's TimeProvider (the tests' TestClock).
    /// </summary>
    public const string SchedulerName = "continuityhub";

    public static ISchedulerFactory SchedulerFactory(this IServiceProvider services) =>
        services.GetRequiredKeyedService<ISchedulerFactory>(SchedulerName);

    public static void AddFollowUps(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection($"{HubOptions.Section}:FollowUps").Get<FollowUpOptions>() ?? new FollowUpOptions();
        var problems = settings.Problems().ToList();
        if (problems.Count > 0) throw new InvalidOperationException("The follow-up settings are invalid: " + string.Join(" ", problems));

        var services = builder.Services;
        services.AddScoped<IEpisodeChangeObserver, FollowUpPlanner>();
        services.AddScoped<FollowUpRunner>();
        services.AddSingleton<FollowUpMessages>();

        // Quartz's own connection pool, sized for its threads (jobs use the hub's DbContext pool), and owned by
        // the container so that it is closed when the host stops.
        services.AddKeyedSingleton(SchedulerName, (services, _) =>
        {
            var connection = new NpgsqlConnectionStringBuilder(services.GetRequiredService<HubDatabase>().ConnectionString)
            {
                MaxPoolSize = settings.MaxConcurrency + 4,
                ApplicationName = "continuityhub-quartz",
            };
            return NpgsqlDataSource.Create(connection.ConnectionString);
        });
        builder.AddQuartz(SchedulerName, quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                // Instance id AUTO: each node generates its own, as clustering requires.
                scheduler.GenerateInstanceId = true;
                scheduler.MaxBatchSize = settings.MaxBatchSize;
            });
            quartz.UseDefaultThreadPool(pool => pool.MaxConcurrency = settings.MaxConcurrency);
            // Quartz would otherwise take the container's TimeProvider. Its clock must be the real one: check-ins,
            // failure detection and misfires are measured in it across nodes. Whether a follow-up is due is
            // decided by the runner with the hub's own TimeProvider.
            quartz.UseTimeProvider(TimeProvider.System);
            quartz.UsePersistentStore(store =>
            {
                // The hub's own database, resolved when the scheduler is built — after the embedded cluster (if
                // any) has started; the hosted service that builds it starts after the migrations ran.
                store.UsePostgres(source => source.DataSourceFactory = services =>
                    services.GetRequiredKeyedService<NpgsqlDataSource>(SchedulerName));
                store.UseClustering(cluster =>
                {
                    cluster.CheckinInterval = settings.CheckinInterval;
                    cluster.CheckinMisfireThreshold = settings.CheckinMisfireThreshold;
                });
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
                store.ConfigureStore(job =>
                {
                    job.MisfireThreshold = settings.MisfireThreshold;
                    if (settings.AcquireTriggersWithinLock is { } withinLock) job.AcquireTriggersWithinLock = withinLock;
                });
            });
            quartz.AddJob<FollowUpJob>(job => job.WithIdentity(FollowUpJob.Key).StoreDurably().RequestRecovery()
                .WithDescription("Runs one follow-up (trigger job data: followUpId)"));
            quartz.AddQuartzHealthChecks(health => health.Tags.Add("ready"));
        });
        builder.AddQuartzHostedService(hosted =>
        {
            hosted.WaitForJobsToComplete = true;
            // A node with Hub:FollowUps:Enabled=false keeps its scheduler built (triggers are still written) but never fires.
            hosted.AutoStart = settings.Enabled;
        });
        services.AddHostedService<FollowUpTriggerSync>();
        services.AddHostedService<FollowUpCatchUp>();
        services.AddHealthChecks().AddCheck<FollowUpsOverdueHealthCheck>("follow-ups-overdue", tags: ["ready"]);
    }
}
