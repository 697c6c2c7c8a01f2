using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 (a free port) standing in for an outside service the hub calls: a
/// provider's FHIR endpoint, GOV.UK Notify, an identity provider. The caller maps its routes.
/// </summary>
public static class LocalHttpServer
{
    /// <returns>The running server and its base address (<c>http://127.0.0.1:port</c>).</returns>
    public static async Task<(WebApplication App, string BaseUrl)> StartAsync(Action<WebApplication> mapRoutes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseSetting(Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        mapRoutes(app);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }
}
