using System.ComponentModel;

namespace ContinuityHub.Features.Releases;

// The §4.1 release notification as it travels, for the OpenAPI document only: the validator reads the JSON
// itself (ReleaseNotificationValidator) so that it can name every problem at once. A test holds the
// contract's example to these types, member for member.

[Description("A release notification (contract §4.1). Required: notificationId, person.nomsNumber, names, dateOfBirth, " +
             "release.prisonCode, releaseDate, status, treatmentNeed.substances and consentToShare.")]
public sealed record ReleaseNotificationSchema(
    Guid NotificationId,
    [property: Description("prison-healthcare (default) or probation")] string? Source,
    PersonSchema Person,
    ReleaseSchema Release,
    TreatmentNeedSchema TreatmentNeed,
    ContactsSchema? Contacts);

public sealed record PersonSchema(
    [property: Description("[A-Z][0-9]{4}[A-Z]{2}")] string NomsNumber,
    [property: Description("10 digits, Modulus 11")] string? NhsNumber,
    [property: Description("[A-Z][0-9]{6}")] string? Crn,
    [property: Description("YYYY/NNNNNNNX with its check letter")] string? PncNumber,
    string GivenName, string FamilyName, DateOnly DateOfBirth,
    [property: Description("male, female, other or unknown")] string? Gender);

public sealed record ReleaseSchema(
    [property: Description("A prison code in mappings/prisons")] string PrisonCode,
    DateOnly ReleaseDate,
    [property: Description("planned or released")] string Status,
    string? ReleaseType,
    DestinationSchema? Destination);

public sealed record DestinationSchema(
    [property: Description("A UK postcode")] string? Postcode,
    string? LocalAuthorityCode,
    bool? NoFixedAbode);

public sealed record TreatmentNeedSchema(
    [property: Description("opiates, crack, cocaine, cannabis, amphetamines, benzodiazepines, synthetic-cannabinoids, ketamine, other-drugs, alcohol")]
    IReadOnlyList<string> Substances,
    bool? InTreatmentInCustody,
    OstSchema? Ost,
    bool? NaloxoneIssued,
    bool ConsentToShare);

public sealed record OstSchema(string? Medication, decimal? DailyDoseMg, DateOnly? LastDoseDate, bool? BridgingPrescription);

public sealed record ContactsSchema(string? PrisonTeamEmail, ProbationPractitionerSchema? ProbationPractitioner);

public sealed record ProbationPractitionerSchema(string? Name, string? Email, string? PduCode);
