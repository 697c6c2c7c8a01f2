namespace ContinuityHub.Security;

/// <summary>The roles of contract §3 and the claims that scope them.</summary>
public static class HubRoles
{
    public const string PrisonHealthcare = "PRISON_HEALTHCARE";
    public const string TreatmentProvider = "TREATMENT_PROVIDER";
    public const string Probation = "PROBATION";
    public const string Commissioner = "COMMISSIONER";
    public const string EventFeed = "EVENT_FEED";
    public const string Admin = "ADMIN";

    public static readonly IReadOnlyList<string> All = [PrisonHealthcare, TreatmentProvider, Probation, Commissioner, EventFeed, Admin];
}

public static class HubClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Roles = "roles";
    public const string Prisons = "prisons";
    public const string Ods = "ods";
    public const string Pdu = "pdu";
}
