using ContinuityHub.Features.Episodes;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Postgres;
using Hangfire;
using Hangfire.AspNetCore;

namespace ContinuityHub.Features.FollowUps;

/// <summary>
/// The 21-day follow-up engine (contract §6, issues #4 and #14): the planner that keeps follow_ups in line with
/// each episode, Hangfire on Hangfire.PostgreSql in the hub's own database (schema <c>hangfire</c>) running the
/// recurring sweep, the ADMIN list, the Hangfire Dashboard at <c>/admin/jobs</c> and the readiness check.
/// </summary>
public static class FollowUpSetup
{
    public static void AddFollowUps(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection($"{HubOptions.Section}:FollowUps").Get<FollowUpOptions>() ?? new FollowUpOptions();
        var problems = settings.Problems().ToList();
        if (problems.Count > 0) throw new InvalidOperationException("The follow-up settings are invalid: " + string.Join(" ", problems));

        var services = builder.Services;
        services.AddScoped<IEpisodeChangeObserver, FollowUpPlanner>();
        services.AddScoped<FollowUpRunner>();
        services.AddScoped<FollowUpSweep>();
        services.AddSingleton<FollowUpMessages>();

        // This hub's own storage and job activator, registered before AddHangfire so that it does not fall back on
        // Hangfire's process-wide JobStorage.Current and JobActivator.Current (several hubs share a test process).
        // The storage is built on first use, after the embedded cluster (if any) has started.
        services.AddSingleton<JobStorage>(provider => FollowUpJobStorage.Create(provider.GetRequiredService<HubDatabase>().ConnectionString, settings));
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(hangfire => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        // Before the Hangfire server: the schema is there (and the sweep registered) when it starts.
        services.AddHostedService<FollowUpStart>();
        if (settings.Enabled)
        {
            services.AddHangfireServer((_, server) =>
            {
                server.WorkerCount = settings.Workers;
                server.SchedulePollingInterval = settings.PollInterval;
            });
        }
        services.AddHealthChecks().AddCheck<FollowUpsOverdueHealthCheck>("follow-ups-overdue", tags: ["ready"]);
    }
}
