namespace ContinuityHub.Features.Releases;

/// <summary>A release notification that passed validation (contract §4.1), in the hub's terms.</summary>
public sealed record ValidReleaseNotification(
    Guid NotificationId,
    string Source,
    PersonDetails Person,
    ReleaseDetails Release,
    TreatmentNeed Need,
    ContactDetails Contacts);

public sealed record PersonDetails(string NomsNumber, string? NhsNumber, string? Crn, string? PncNumber,
    string GivenName, string FamilyName, DateOnly DateOfBirth, string? Gender);

public sealed record ReleaseDetails(string PrisonCode, DateOnly ReleaseDate, string Status, string? ReleaseType,
    string? Postcode, string? LocalAuthorityCode, bool NoFixedAbode);

public sealed record TreatmentNeed(IReadOnlyList<string> Substances, bool? InTreatmentInCustody, OpioidSubstitution? Ost,
    bool? NaloxoneIssued, bool ConsentToShare);

public sealed record OpioidSubstitution(string? Medication, decimal? DailyDoseMg, DateOnly? LastDoseDate, bool? BridgingPrescription);

public sealed record ContactDetails(string? PrisonTeamEmail, string? ProbationPractitionerName, string? ProbationPractitionerEmail, string? PduCode);

public static class ReleaseSources
{
    public const string PrisonHealthcare = "prison-healthcare";
    public const string Probation = "probation";
}

public static class ReleaseStatuses
{
    public const string Planned = "planned";
    public const string Released = "released";
}
