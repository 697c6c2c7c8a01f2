using ContinuityHub.Data;
using ContinuityHub.Infrastructure.Postgres;
using ContinuityHub.Mappings;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Hosting;

/// <summary>
/// Runs before the hub takes requests: validates the mappings, makes the database available (starting the
/// embedded one if need be) and applies pending migrations. Any failure stops the start-up.
/// </summary>
public sealed class StartupChecksService(ReferenceData mappings, HubDatabase database, MigrationRunner migrations,
    IOptionsMonitor<JwtBearerOptions> jwtOptions, ILogger<StartupChecksService> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolving the bearer options now turns a wrong auth setting into a start-up failure, not a 500 later.
        _ = jwtOptions.Get(JwtBearerDefaults.AuthenticationScheme);
        logger.LogInformation("Mappings loaded: {Prisons} prisons, {Authorities} local authorities, {Providers} providers",
            mappings.Prisons.Count, mappings.LocalAuthorities.Count, mappings.Providers.Count);
        await database.PrepareSchemaAsync(migrations, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
