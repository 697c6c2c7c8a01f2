using ContinuityHub.Security;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace ContinuityHub.Observability;

/// <summary>
/// Serilog (through Serilog.AspNetCore) behind Microsoft.Extensions.Logging: readable text locally, compact
/// JSON (one object a line) when <c>Hub:Logging:Json</c> is true, as the container image sets. Sinks
/// registered in DI (<see cref="Serilog.Core.ILogEventSink"/>) receive every event too; the tests read what the
/// hub logs that way. Framework categories that would log raw request paths and query strings (which can
/// hold identifiers) are held at Warning; <see cref="UseHubRequestLogging"/> logs route templates instead.
/// </summary>
public static class HubLogging
{
    private const string RequestLogTemplate = "HTTP {RequestMethod:l} {RouteTemplate:l} responded {StatusCode} in {Elapsed:0.0} ms as {Role:l}";

    public static void AddHubLogging(this WebApplicationBuilder builder, bool json)
    {
        builder.Logging.ClearProviders();
        // preserveStaticLogger: the hub never logs through Serilog's static Log.Logger, so several hubs in one
        // process (the tests) each keep their own pipeline.
        builder.Services.AddSerilog(preserveStaticLogger: true, configureLogger: (services, configuration) =>
        {
            configuration
                .MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                // Off, not just quiet: while this category is enabled ASP.NET Core opens a log scope carrying the
                // raw RequestPath (which can hold NOMS and NHS numbers) on every event of the request.
                .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", LevelAlias.Off)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("Application", "ContinuityHub");
            if (json) configuration.WriteTo.Console(new RenderedCompactJsonFormatter());
            else configuration.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {CorrelationId}{NewLine}{Exception}");
        });
    }

    /// <summary>
    /// One line a request: method, route template, status, elapsed time and the caller's role; the correlation
    /// id comes from the log context (<see cref="CorrelationIdMiddleware"/> runs outside this). The raw path is
    /// left out of the event's properties too, not only of its message.
    /// </summary>
    public static IApplicationBuilder UseHubRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate = RequestLogTemplate;
            options.GetLevel = (context, _, exception) =>
                exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error : LogEventLevel.Information;
            options.GetMessageTemplateProperties = (context, _, elapsedMs, statusCode) =>
            [
                new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
                new LogEventProperty("RouteTemplate", new ScalarValue(RouteTemplate.Of(context))),
                new LogEventProperty("StatusCode", new ScalarValue(statusCode)),
                new LogEventProperty("Elapsed", new ScalarValue(elapsedMs)),
                new LogEventProperty("Role", new ScalarValue(RoleOf(context))),
            ];
        });

    private static string RoleOf(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated != true) return "anonymous";
        var roles = new HubUser(context.User).Roles.Order(StringComparer.Ordinal).ToArray();
        return roles.Length == 0 ? "none" : string.Join(",", roles);
    }
}
