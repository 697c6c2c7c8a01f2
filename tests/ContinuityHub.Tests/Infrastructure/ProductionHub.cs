using Microsoft.AspNetCore.Hosting;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>The hub in the Production environment, with an identity provider at <paramref name="authority"/> (and the web UI's client, if given).</summary>
public sealed class ProductionHub(string authority, string? uiClientId = null) : HubFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("Hub:Auth:Authority", authority);
        builder.UseSetting("Hub:Auth:RequireHttpsMetadata", "false");
        if (uiClientId is not null) builder.UseSetting("Hub:Auth:UiClientId", uiClientId);
    }
}
