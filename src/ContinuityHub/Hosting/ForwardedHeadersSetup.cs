using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ContinuityHub.Hosting;

/// <summary>The reverse proxies (load balancer, ingress) whose X-Forwarded-* headers the hub believes.</summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Proxy addresses, e.g. <c>10.0.0.5</c>. Loopback is always trusted.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/16</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row to unwind (1: one load balancer in front of the hub).</summary>
    public int ForwardLimit { get; set; } = 1;
}

/// <summary>
/// Behind a proxy that terminates TLS the hub sees plain http from the proxy's address. With X-Forwarded-Proto,
/// -Host and -For from a trusted proxy, the request's scheme, host and client address become the public ones, so
/// the OIDC redirect URI, FHIR paging links, HSTS and the cookies' Secure flag are right. Headers from anyone
/// else are ignored (a client could otherwise claim any host or scheme).
/// </summary>
public static class ForwardedHeadersSetup
{
    public static void AddForwardedHeaders(this WebApplicationBuilder builder) =>
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<Microsoft.Extensions.Options.IOptions<HubOptions>>((forwarded, hub) =>
        {
            var settings = hub.Value.ForwardedHeaders;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.ForwardLimit = settings.ForwardLimit;
            // The defaults (127.0.0.0/8 and ::1) stay: a proxy on the same machine or in the same pod.
            foreach (var proxy in settings.KnownProxies)
                forwarded.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                    : throw new InvalidOperationException($"Hub:ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
            foreach (var network in settings.KnownNetworks)
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                    : throw new InvalidOperationException($"Hub:ForwardedHeaders:KnownNetworks: '{network}' is not a network in CIDR notation (like 10.0.0.0/16)."));
        });
}
