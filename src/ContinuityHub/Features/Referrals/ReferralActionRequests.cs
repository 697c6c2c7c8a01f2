namespace ContinuityHub.Features.Referrals;

// The bodies of the JSON referral actions, for the OpenAPI document (the endpoints read the JSON field by field).

public sealed record RejectReferralRequest(string Reason);

/// <summary>The date of a first appointment, or of the first attended structured treatment intervention.</summary>
public sealed record DatedReferralRequest(DateOnly Date);
