namespace ContinuityHub.Hosting;

/// <summary>
/// Where the hub listens: ASP.NET Core's standard settings (<c>ASPNETCORE_URLS</c> or <c>Urls</c>, <c>--urls</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c>, <c>Kestrel:Endpoints</c>) exactly as documented, and the local
/// default only when none of them is given. (A <c>Urls</c> in appsettings.json would override the environment
/// variable <c>ASPNETCORE_URLS</c>, which is loaded before it; hence the default lives here.)
/// </summary>
public static class ListenAddress
{
    public const string LocalDefault = "http://127.0.0.1:5080";

    public static void UseLocalDefaultUnlessConfigured(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var configured = new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }
            .Any(key => !string.IsNullOrWhiteSpace(configuration[key]))
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!configured) builder.WebHost.UseUrls(LocalDefault);
    }
}
