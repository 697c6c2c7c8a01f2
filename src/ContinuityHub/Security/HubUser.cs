using System.Security.Claims;

namespace ContinuityHub.Security;

/// <summary>The caller as the hub sees it: roles and the scopes they are limited to.</summary>
public sealed class HubUser(ClaimsPrincipal principal)
{
    public string Subject => principal.FindFirstValue(HubClaims.Subject) ?? "unknown";
    public IReadOnlyList<string> Roles => principal.FindAll(HubClaims.Roles).Select(c => c.Value).ToList();
    public bool IsIn(string role) => principal.HasClaim(HubClaims.Roles, role);

    public IEnumerable<string> ScopeValues(string claim) =>
        principal.FindAll(claim).SelectMany(c => c.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public bool MayActForPrison(string? prisonCode) =>
        prisonCode is not null && ScopeValues(HubClaims.Prisons).Any(p => p == "*" || string.Equals(p, prisonCode, StringComparison.OrdinalIgnoreCase));

    public bool MayActForPdu(string? pduCode) =>
        ScopeValues(HubClaims.Pdu).Any(p => p == "*" || (pduCode is not null && string.Equals(p, pduCode, StringComparison.OrdinalIgnoreCase)));

    public bool MayActForProvider(string? odsCode) =>
        odsCode is not null && ScopeValues(HubClaims.Ods).Any(o => string.Equals(o, odsCode, StringComparison.OrdinalIgnoreCase));

    public static HubUser From(HttpContext context) => new(context.User);
}
