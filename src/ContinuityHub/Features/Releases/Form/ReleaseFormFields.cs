using ContinuityHub.Errors;

namespace ContinuityHub.Features.Releases.Form;

/// <summary>The form's steps, in the order they are asked.</summary>
public static class ReleaseFormSteps
{
    public const string Person = "person";
    public const string Release = "release";
    public const string Need = "treatment-need";
    public const string Contacts = "contacts";

    public static readonly IReadOnlyList<string> All = [Person, Release, Need, Contacts];

    public static string Title(string step) => step switch
    {
        Person => "Person",
        Release => "Release and destination",
        Need => "Treatment need and OST",
        Contacts => "Contacts and consent",
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    public static string? Next(string step) => All.SkipWhile(s => s != step).Skip(1).FirstOrDefault();
}

/// <summary>
/// One form field and the §4.1 JSON field it fills: the step it is asked on, the id of the input an error
/// links to (GOV.UK: the first box of a date, the first radio of a group) and the label messages start with.
/// </summary>
public sealed record ReleaseFormField(string Pointer, string Step, string Id, string Label, bool IsDate = false);

/// <summary>A problem shown on the form: the step and input it belongs to and the message (GOV.UK error summary).</summary>
public sealed record ReleaseFormError(string? Step, string? FieldId, string Message);

/// <summary>
/// Maps the validator's JSON pointers to the form's fields, so every message on the form is the message the
/// API gives for the same value (the API's validator is the only place the rules live).
/// </summary>
public static class ReleaseFormFields
{
    public static readonly IReadOnlyList<ReleaseFormField> All =
    [
        new("/person/nomsNumber", ReleaseFormSteps.Person, "nomsNumber", "NOMS number"),
        new("/person/givenName", ReleaseFormSteps.Person, "givenName", "Given name"),
        new("/person/familyName", ReleaseFormSteps.Person, "familyName", "Family name"),
        new("/person/dateOfBirth", ReleaseFormSteps.Person, "dateOfBirth-day", "Date of birth", IsDate: true),
        new("/person/nhsNumber", ReleaseFormSteps.Person, "nhsNumber", "NHS number"),
        new("/person/crn", ReleaseFormSteps.Person, "crn", "CRN"),
        new("/person/pncNumber", ReleaseFormSteps.Person, "pncNumber", "PNC number"),
        new("/person/gender", ReleaseFormSteps.Person, "gender", "Gender"),
        new("/release/prisonCode", ReleaseFormSteps.Release, "prisonCode", "Prison"),
        new("/release/releaseDate", ReleaseFormSteps.Release, "releaseDate-day", "Release date", IsDate: true),
        new("/release/status", ReleaseFormSteps.Release, "status", "Release status"),
        new("/release/releaseType", ReleaseFormSteps.Release, "releaseType", "Release type"),
        new("/release/destination/noFixedAbode", ReleaseFormSteps.Release, "destination", "Destination"),
        new("/release/destination/postcode", ReleaseFormSteps.Release, "postcode", "Postcode"),
        new("/release/destination/localAuthorityCode", ReleaseFormSteps.Release, "localAuthorityCode", "Local authority"),
        new("/release/destination", ReleaseFormSteps.Release, "destination", "Destination"),
        new("/treatmentNeed/substances", ReleaseFormSteps.Need, "substances", "Substances"),
        new("/treatmentNeed/inTreatmentInCustody", ReleaseFormSteps.Need, "inTreatmentInCustody", "In treatment in custody"),
        new("/treatmentNeed/ost/medication", ReleaseFormSteps.Need, "ostMedication", "OST medication"),
        new("/treatmentNeed/ost/dailyDoseMg", ReleaseFormSteps.Need, "ostDailyDoseMg", "Daily dose"),
        new("/treatmentNeed/ost/lastDoseDate", ReleaseFormSteps.Need, "ostLastDoseDate-day", "Date of last dose", IsDate: true),
        new("/treatmentNeed/ost/bridgingPrescription", ReleaseFormSteps.Need, "ostBridgingPrescription", "Bridging prescription"),
        new("/treatmentNeed/ost", ReleaseFormSteps.Need, "onOst", "Opioid substitution treatment"),
        new("/treatmentNeed/naloxoneIssued", ReleaseFormSteps.Need, "naloxoneIssued", "Naloxone issued"),
        new("/treatmentNeed/consentToShare", ReleaseFormSteps.Contacts, "consentToShare", "Consent to share"),
        new("/contacts/prisonTeamEmail", ReleaseFormSteps.Contacts, "prisonTeamEmail", "Prison healthcare team email"),
        new("/contacts/probationPractitioner/name", ReleaseFormSteps.Contacts, "probationPractitionerName", "Probation practitioner's name"),
        new("/contacts/probationPractitioner/email", ReleaseFormSteps.Contacts, "probationPractitionerEmail", "Probation practitioner's email"),
        new("/contacts/probationPractitioner/pduCode", ReleaseFormSteps.Contacts, "probationPduCode", "Probation delivery unit"),
        new("/contacts/probationPractitioner", ReleaseFormSteps.Contacts, "probationPractitionerName", "Probation practitioner"),
    ];

    /// <summary>The field at a pointer or holding it (<c>/treatmentNeed/substances/2</c> → the substances checkboxes).</summary>
    public static ReleaseFormField? For(string pointer) =>
        All.FirstOrDefault(f => pointer == f.Pointer || pointer.StartsWith(f.Pointer + "/", StringComparison.Ordinal));

    public static ReleaseFormField ById(string id) => All.First(f => f.Id == id);

    /// <summary>
    /// The validator's problem as the form shows it: the field's label, then the validator's own words. A date
    /// whose boxes make no calendar date is worded for the three boxes, since the form, not the person, wrote
    /// the yyyy-MM-dd the validator read.
    /// </summary>
    public static ReleaseFormError ErrorFor(FieldProblem problem, IReadOnlySet<string> unrealDates)
    {
        var field = For(problem.Pointer);
        if (field is null) return new ReleaseFormError(null, null, problem.Detail);
        var message = field.IsDate && unrealDates.Contains(field.Pointer)
            ? $"{field.Label} must be a real date, for example 27 3 2007."
            : problem.Detail.StartsWith("is ", StringComparison.Ordinal) || problem.Detail.StartsWith("must ", StringComparison.Ordinal)
                ? $"{field.Label} {problem.Detail}"
                : $"{field.Label}: {problem.Detail}";
        return new ReleaseFormError(field.Step, field.Id, message);
    }
}
