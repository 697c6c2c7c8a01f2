using System.Reflection;

namespace ContinuityHub.Hosting;

/// <summary>
/// The hosting environment when nobody chose one. ASP.NET Core's own default is Production, and the hub keeps it for
/// every Release build (dotnet publish, the container image); a Debug build — what <c>dotnet run</c> and
/// <c>dotnet test</c> build — defaults to Development, so the README's <c>dotnet run</c> gives a development hub
/// without a launch profile (docs/decisions.md: none on purpose). <c>ASPNETCORE_ENVIRONMENT</c>,
/// <c>DOTNET_ENVIRONMENT</c> or <c>--environment</c> always win.
/// </summary>
public static class HubEnvironment
{
    /// <summary>Set by the project file for Debug builds only.</summary>
    private const string MetadataKey = "HubDefaultEnvironment";

    public static string BuildDefault { get; } =
        typeof(HubEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == MetadataKey)?.Value
        ?? Environments.Production;

    public static WebApplicationOptions BuilderOptions(string[] args) =>
        new() { Args = args, EnvironmentName = IsChosen(args) ? null : BuildDefault };

    private static bool IsChosen(string[] args) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"))
        // The command-line configuration forms: --environment X, --environment=X, /environment X, environment=X.
        || args.Any(arg => arg.TrimStart('-', '/').Split('=')[0].Equals("environment", StringComparison.OrdinalIgnoreCase));
}
