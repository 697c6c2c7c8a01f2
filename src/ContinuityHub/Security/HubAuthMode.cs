using ContinuityHub.Hosting;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Security;

/// <summary>
/// Which tokens and sign-in the hub accepts, decided by the hosting environment, never by a setting a deployment
/// could carry over by mistake: with <c>Hub:Auth:Authority</c> set, tokens (and the web UI's sign-in) come from
/// that OIDC issuer in any environment; without one, only the Development environment may fall back to the local
/// signing key, <c>dev-token</c> and <c>/dev/signin</c>. Any other environment without an issuer does not start.
/// </summary>
public sealed class HubAuthMode
{
    private HubAuthMode(bool isDevelopment) => IsDevelopment = isDevelopment;

    /// <summary>Tokens signed by the local key in the data folder; the development sign-in page.</summary>
    public bool IsDevelopment { get; }

    /// <summary>Tokens from the configured OIDC issuer.</summary>
    public bool IsOidc => !IsDevelopment;

    /// <exception cref="InvalidOperationException">Not Development and no issuer: the message says what to set.</exception>
    public static HubAuthMode Resolve(AuthOptions auth, IHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(auth.Authority)) return new HubAuthMode(isDevelopment: false);
        if (environment.IsDevelopment()) return new HubAuthMode(isDevelopment: true);
        throw new InvalidOperationException(
            $"no identity provider is configured. In the '{environment.EnvironmentName}' environment the hub accepts only tokens " +
            "from an OIDC issuer: set Hub__Auth__Authority (its discovery document and JWKS; Hub__Auth__UiClientId for the web UI's sign-in). " +
            "The local signing key, dev-token and /dev/signin exist only with ASPNETCORE_ENVIRONMENT=Development.");
    }

    public static void AddHubAuthMode(IServiceCollection services) =>
        services.AddSingleton(provider => Resolve(provider.GetRequiredService<IOptions<HubOptions>>().Value.Auth, provider.GetRequiredService<IHostEnvironment>()));
}
