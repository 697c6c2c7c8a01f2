using ContinuityHub.Security;

namespace ContinuityHub.Features.People;

/// <summary>The delivery units a caller may read: ADMIN and a <c>*</c> claim all, PROBATION its pdu claim, anyone else none.</summary>
public sealed record PduScope(bool All, string[] Codes)
{
    public static PduScope Of(HubUser user)
    {
        if (user.IsIn(HubRoles.Admin)) return new PduScope(true, []);
        var codes = user.IsIn(HubRoles.Probation) ? user.ScopeValues(HubClaims.Pdu).ToArray() : [];
        // Codes compared in capitals, as HubUser compares them without regard to case.
        return new PduScope(codes.Contains("*"), codes.Where(c => c != "*").Select(c => c.ToUpperInvariant()).Distinct().ToArray());
    }

    public bool Covers(string pduCode) => All || Codes.Contains(pduCode);
}
