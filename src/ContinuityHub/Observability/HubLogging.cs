using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Json;

namespace ContinuityHub.Observability;

/// <summary>
/// Serilog behind Microsoft.Extensions.Logging: readable text (Hub:LogFormat=text, the local default) or
/// one JSON object a line (the container image's). Extra sinks registered in DI (ILogEventSink) receive every event too; the tests use that to
/// read what the hub logs. Framework categories that would log raw request paths and query strings
/// (which can hold identifiers) are held at Warning; <see cref="RequestLoggingMiddleware"/> logs routes instead.
/// </summary>
public static class HubLogging
{
    public static void AddHubLogging(this WebApplicationBuilder builder, string logFormat)
    {
        builder.Logging.ClearProviders();
        var json = !string.Equals(logFormat, "text", StringComparison.OrdinalIgnoreCase);
        builder.Services.AddSingleton<ILoggerProvider>(services =>
        {
            var configuration = new LoggerConfiguration()
                .MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                .ReadFrom.Configuration(builder.Configuration)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("Application", "ContinuityHub");
            configuration = json
                ? configuration.WriteTo.Console(new JsonFormatter(renderMessage: true))
                : configuration.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {CorrelationId}{NewLine}{Exception}");
            foreach (var sink in services.GetServices<ILogEventSink>()) configuration = configuration.WriteTo.Sink(sink);
            return new SerilogLoggerProvider(configuration.CreateLogger(), dispose: true);
        });
    }
}
