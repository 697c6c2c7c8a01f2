using System.Security.Cryptography;
using ContinuityHub.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>
/// An identity provider at the HTTP boundary: the OIDC discovery document and a JWKS with one RSA key, and tokens
/// signed with that key, as a production issuer would give them.
/// </summary>
public sealed class OidcIssuerStub : IAsyncDisposable
{
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "stub-key-1" };
    private WebApplication _server = null!;

    public string Url { get; private set; } = null!;

    public static async Task<OidcIssuerStub> StartAsync()
    {
        var stub = new OidcIssuerStub();
        (stub._server, stub.Url) = await LocalHttpServer.StartAsync(app =>
        {
            app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = stub.Url,
                ["authorization_endpoint"] = stub.Url + "/authorize",
                ["token_endpoint"] = stub.Url + "/token",
                ["jwks_uri"] = stub.Url + "/jwks",
                ["response_types_supported"] = new[] { "code" },
            }));
            app.MapGet("/jwks", () =>
            {
                var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(stub._key);
                return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = jwk.Kid, n = jwk.N, e = jwk.E } } });
            });
        });
        return stub;
    }

    public string Token(string role, string audience = "continuityhub") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Url,
            Audience = audience,
            Claims = new Dictionary<string, object> { [HubClaims.Subject] = "issuer-user", [HubClaims.Name] = "Issuer User", [HubClaims.Roles] = new[] { role } },
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
