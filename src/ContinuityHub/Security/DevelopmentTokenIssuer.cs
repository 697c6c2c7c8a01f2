using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ContinuityHub.Security;

/// <summary>Mints development tokens with the claims of contract §3.</summary>
public sealed class DevelopmentTokenIssuer(SymmetricSecurityKey key, string audience)
{
    public string Issue(string subject, string name, IEnumerable<string> roles, IEnumerable<string>? prisons = null,
        string? ods = null, IEnumerable<string>? pdus = null, TimeSpan? lifetime = null)
    {
        var claims = new Dictionary<string, object>
        {
            [HubClaims.Subject] = subject,
            [HubClaims.Name] = name,
            [HubClaims.Roles] = roles.ToArray(),
        };
        if (prisons is not null) claims[HubClaims.Prisons] = prisons.ToArray();
        if (ods is not null) claims[HubClaims.Ods] = ods;
        if (pdus is not null) claims[HubClaims.Pdu] = pdus.ToArray();
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = DevelopmentSigningKey.Issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromHours(12)),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}
