using System.Net;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.Hardening.Fuzz;

/// <summary>The real hub on Kestrel (real HTTP on a loopback port) over its own database on the test PostgreSQL.</summary>
public sealed class FuzzHub : HubFactory
{
    public FuzzHub() => UseKestrel(0);

    /// <summary>Where Kestrel listens (the server must have been started).</summary>
    public Uri ServerAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>A plain HTTP client of the server: redirects not followed, cookies kept only for a browser.</summary>
    public HttpClient HttpClient(bool cookies) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = cookies, CookieContainer = new CookieContainer() })
        {
            BaseAddress = ServerAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
}
