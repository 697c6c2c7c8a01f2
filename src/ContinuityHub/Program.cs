using ContinuityHub.Audit;
using ContinuityHub.DemoData;
using ContinuityHub.Features.Admin;
using ContinuityHub.Features.Dashboard;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Events;
using ContinuityHub.Features.Fhir;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Features.Measure;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Features.People;
using ContinuityHub.Features.ProviderPush;
using ContinuityHub.Features.Referrals;
using ContinuityHub.Features.Releases;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Postgres;
using ContinuityHub.Mappings;
using ContinuityHub.Observability;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Npgsql;

var builder = WebApplication.CreateBuilder(HubEnvironment.BuilderOptions(args.FirstOrDefault() is "dev-token" or DemoDataCommand.Name ? [] : args));
var hubOptions = builder.AddHubCore();

if (args.FirstOrDefault() == "dev-token")
    return DevTokenCommand.Run(args, hubOptions, builder.Environment.EnvironmentName, Console.Out, Console.Error);

if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Hub")) && EmbeddedPostgresCluster.FindServerBinaries(hubOptions.PostgresInstallRoot) is null)
{
    // Contract §2: one clear message instead of a stack trace.
    Console.Error.WriteLine(
        "ContinuityHub cannot start: no ConnectionStrings__Hub is configured and no PostgreSQL server binaries were found " +
        $"(initdb and pg_ctl on PATH or in {hubOptions.PostgresInstallRoot}/*/bin). Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql) " +
        "or set ConnectionStrings__Hub to an existing server.");
    return 1;
}

builder.UseLocalDefaultUnlessConfigured();
builder.AddWebTransport();
builder.AddHubLogging(hubOptions.Logging.Json);
builder.AddHubAuthentication();
builder.AddReleaseIntake();
builder.AddHmppsEvents();
builder.AddReferralActions();
builder.AddEpisodeExclusion();
builder.AddPeople();
builder.AddFhir();
builder.AddProviderPush();
builder.AddEngagementReport();
builder.AddNotifications();
builder.AddFollowUps();
builder.AddHubOpenApi();
builder.AddWebPages();

var app = builder.Build();

try
{
    // Outside Development without an identity provider there is nothing safe to accept: stop before serving.
    _ = app.Services.GetRequiredService<HubAuthMode>();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"ContinuityHub cannot start: {e.Message}");
    return 1;
}

try
{
    // Mapping resolves services that start the embedded PostgreSQL (the job dashboard's storage): its failures
    // are start-up failures, answered below with one line like every other.
    app.UseWebTransport();
    app.UseMiddleware<CorrelationIdMiddleware>();
    app.UseHubRequestLogging();
    app.UseWebPageErrors();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseWebPages();
    app.UseMiddleware<ContinuityHub.Infrastructure.QueryTextGuard>();
    app.UseRefusedReadAudit();
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseAntiforgery();

    // Live: the process answers. Ready: and its database answers (migrations ran before the server started).
    app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
    app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
    app.MapReleaseIntake();
    app.MapHmppsEvents();
    app.MapReferralActions();
    app.MapEpisodeExclusion();
    app.MapFhir().MapMeasureFhir();
    app.MapPeople();
    app.MapEngagementReport();
    app.MapWebPages();
    app.MapDashboard();
    app.MapNotifications();
    app.MapFollowUps();
    app.MapAudit();
    app.MapDataQuality();
    app.MapHubOpenApi();

    if (args.FirstOrDefault() == DemoDataCommand.Name)
    {
        // Disposing the app stops the embedded PostgreSQL the command started.
        await using (app) return await DemoDataCommand.RunAsync(app.Services, app.Environment.EnvironmentName, args, Console.Out, Console.Error);
    }
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is EmbeddedPostgresUnavailableException or MappingsInvalidException or InvalidOperationException)
{
    Console.Error.WriteLine($"ContinuityHub cannot start: {e.Message}");
    return 1;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine($"ContinuityHub cannot start: {e.Message} Another program listens there: stop it, or give the hub another address (ASPNETCORE_URLS, --urls).");
    return 1;
}
catch (NpgsqlException e)
{
    // Npgsql's messages name the host and the failure, never data.
    Console.Error.WriteLine($"ContinuityHub cannot start: the database cannot be reached ({e.Message}). Check ConnectionStrings__Hub.");
    return 1;
}

/// <summary>Entry point type, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
