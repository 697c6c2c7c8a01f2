using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Infrastructure.Postgres;
using ContinuityHub.Mappings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Hosting;

public static class HubServices
{
    /// <summary>Everything the hub needs apart from the HTTP pipeline.</summary>
    public static HubOptions AddHubCore(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(HubOptions.Section);
        builder.Services.Configure<HubOptions>(section);
        var options = section.Get<HubOptions>() ?? new HubOptions();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton(services => MappingsLoader.Load(services.GetRequiredService<IOptions<HubOptions>>().Value.MappingsDirectory,
            httpsEndpointsOnly: !services.GetRequiredService<IHostEnvironment>().IsDevelopment()));
        builder.Services.AddSingleton<HubDatabase>();
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddHostedService<StartupChecksService>();
        builder.Services.AddDbContextPool<HubDbContext>((services, db) =>
            db.UseNpgsql(services.GetRequiredService<HubDatabase>().EntityConnectionString)
              // A unique violation is how the intake learns a notification is a repeat (it then answers 200/409),
              // so EF's own error entries for failed commands would be noise; a real failure still reaches the
              // exception handler, which logs it once.
              .ConfigureWarnings(w => w.Log((CoreEventId.SaveChangesFailed, LogLevel.Debug), (RelationalEventId.CommandError, LogLevel.Debug))));
        builder.Services.AddScoped<CurrentActor>();
        builder.Services.AddScoped<AuditTrail>();

        builder.Services.AddProblemDetails(problem => problem.CustomizeProblemDetails = context =>
        {
            var correlationId = Observability.CorrelationIdMiddleware.Get(context.HttpContext);
            if (correlationId is not null) context.ProblemDetails.Extensions["correlationId"] = correlationId;
        });
        builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never);
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return options;
    }
}
