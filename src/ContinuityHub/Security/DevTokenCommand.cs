using ContinuityHub.Hosting;

namespace ContinuityHub.Security;

/// <summary>
/// <c>dev-token --role ROLE [--prisons A,B] [--ods CODE] [--pdu CODE] [--sub ID] [--name NAME]</c>:
/// prints a development token signed with the same key the hub uses. Only where the hub itself would accept it:
/// the Development environment with no identity provider configured (<see cref="HubAuthMode"/>).
/// </summary>
public static class DevTokenCommand
{
    public static int Run(string[] args, HubOptions options, string environmentName, TextWriter output, TextWriter error)
    {
        if (environmentName != Environments.Development || !string.IsNullOrWhiteSpace(options.Auth.Authority))
        {
            error.WriteLine($"dev-token: refused. Development tokens exist only in the Development environment without an identity provider; " +
                $"this hub is in the '{environmentName}' environment{(string.IsNullOrWhiteSpace(options.Auth.Authority) ? "" : " with Hub:Auth:Authority set")} " +
                "and accepts only tokens from its identity provider. For a local hub set ASPNETCORE_ENVIRONMENT=Development.");
            return 1;
        }
        var values = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                error.WriteLine($"dev-token: unexpected '{args[i]}'. Usage: dev-token --role ROLE [--prisons A,B] [--ods CODE] [--pdu CODE]");
                return 2;
            }
            var name = args[i][2..];
            if (!values.TryGetValue(name, out var list)) values[name] = list = [];
            list.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        var roles = values.GetValueOrDefault("role") ?? [];
        var unknown = roles.Where(r => !HubRoles.All.Contains(r)).ToList();
        if (roles.Count == 0 || unknown.Count > 0)
        {
            error.WriteLine($"dev-token: --role must be one of {string.Join(", ", HubRoles.All)}.");
            return 2;
        }
        var key = DevelopmentSigningKey.LoadOrCreate(options.ResolvedDataDirectory);
        var issuer = new DevelopmentTokenIssuer(key, options.Auth.Audience);
        var token = issuer.Issue(
            subject: values.GetValueOrDefault("sub")?.FirstOrDefault() ?? $"dev-{roles[0].ToLowerInvariant()}",
            name: values.GetValueOrDefault("name")?.FirstOrDefault() ?? $"Development {roles[0]}",
            roles: roles,
            prisons: values.GetValueOrDefault("prisons"),
            ods: values.GetValueOrDefault("ods")?.FirstOrDefault(),
            pdus: values.GetValueOrDefault("pdu"));
        output.WriteLine(token);
        return 0;
    }
}
