using System.Text.Json;
using System.Text.RegularExpressions;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;

namespace ContinuityHub.Features.Releases;

/// <summary>
/// Checks a release notification against contract §4.1 and reports every problem at once, each with a
/// JSON pointer. Plausibility windows are documented in docs/decisions.md.
/// </summary>
public sealed partial class ReleaseNotificationValidator(ReferenceData mappings, TimeProvider clock)
{
    private static readonly HashSet<string> Substances = [.. SubstanceCodes.All];
    private static readonly HashSet<string> OstMedications = ["methadone", "buprenorphine", "buprenorphine-prolonged-release", "other"];
    private static readonly HashSet<string> Genders = ["male", "female", "other", "unknown"];

    public (ValidReleaseNotification? Notification, IReadOnlyList<FieldProblem> Problems) Validate(JsonElement root)
    {
        var read = new JsonFieldReader();
        if (root.ValueKind != JsonValueKind.Object)
        {
            read.Problem("", "must be a JSON object.");
            return (null, read.Problems);
        }
        var today = LondonTime.Today(clock);
        // A body came through JsonBody already; a CSV row did not.
        foreach (var problem in JsonBody.ValueProblems(root)) read.Problem(problem.Pointer, problem.Detail);

        var notificationIdText = read.String(root, "notificationId", "/notificationId", required: true, 36);
        Guid notificationId = default;
        if (notificationIdText is not null && !Guid.TryParseExact(notificationIdText, "D", out notificationId))
            read.Problem("/notificationId", "must be a UUID such as 3f2b8a1e-6a55-4f53-9f5e-1d2c3b4a5e6f.");

        var source = read.String(root, "source", "/source", required: false, TextLimits.NotificationSource) ?? ReleaseSources.PrisonHealthcare;
        if (source is not (ReleaseSources.PrisonHealthcare or ReleaseSources.Probation))
            read.Problem("/source", $"must be '{ReleaseSources.PrisonHealthcare}' or '{ReleaseSources.Probation}'.");

        var person = ReadPerson(read, root, today);
        var release = ReadRelease(read, root, today);
        var need = ReadNeed(read, root, today);
        var contacts = ReadContacts(read, root);

        if (source == ReleaseSources.Probation && contacts is { PduCode: null })
            read.Problem("/contacts/probationPractitioner/pduCode", "is required when the source is probation.");

        if (read.Problems.Count > 0 || person is null || release is null || need is null || contacts is null)
            return (null, read.Problems);
        return (new ValidReleaseNotification(notificationId, source, person, release, need, contacts), []);
    }

    private static PersonDetails? ReadPerson(JsonFieldReader read, JsonElement root, DateOnly today)
    {
        if (read.Object(root, "person", "/person", required: true) is not { } person) return null;
        var noms = read.String(person, "nomsNumber", "/person/nomsNumber", required: true, TextLimits.NomsNumber)?.ToUpperInvariant();
        if (noms is not null && !Identifiers.IsNomsNumber(noms)) read.Problem("/person/nomsNumber", "must be a NOMS number: a letter, 4 digits and 2 letters (e.g. A1234BC).");
        var nhs = read.String(person, "nhsNumber", "/person/nhsNumber", required: false, TextLimits.NhsNumber);
        if (nhs is not null && !Identifiers.IsNhsNumber(nhs)) read.Problem("/person/nhsNumber", "must be a 10-digit NHS number with a valid Modulus 11 check digit.");
        var crn = read.String(person, "crn", "/person/crn", required: false, TextLimits.Crn)?.ToUpperInvariant();
        if (crn is not null && !Identifiers.IsCrn(crn)) read.Problem("/person/crn", "must be a CRN: a letter and 6 digits (e.g. X123456).");
        var pnc = read.String(person, "pncNumber", "/person/pncNumber", required: false, TextLimits.PncNumber)?.ToUpperInvariant();
        if (pnc is not null && !Identifiers.IsPncNumber(pnc)) read.Problem("/person/pncNumber", "must be a PNC id like 2001/0123456F whose check letter matches.");
        var given = read.String(person, "givenName", "/person/givenName", required: true, TextLimits.PersonName);
        var family = read.String(person, "familyName", "/person/familyName", required: true, TextLimits.PersonName);
        var dateOfBirth = read.Date(person, "dateOfBirth", "/person/dateOfBirth", required: true);
        if (dateOfBirth is { } dob && (dob < new DateOnly(1900, 1, 1) || dob > today.AddYears(-15)))
            read.Problem("/person/dateOfBirth", "is not plausible: the person must be at least 15 and born after 1900.");
        var gender = read.String(person, "gender", "/person/gender", required: false, TextLimits.Gender)?.ToLowerInvariant();
        if (gender is not null && !Genders.Contains(gender)) read.Problem("/person/gender", "must be male, female, other or unknown (FHIR administrative gender).");
        return noms is null || given is null || family is null || dateOfBirth is null
            ? null
            : new PersonDetails(noms, nhs, crn, pnc, given, family, dateOfBirth.Value, gender);
    }

    private ReleaseDetails? ReadRelease(JsonFieldReader read, JsonElement root, DateOnly today)
    {
        if (read.Object(root, "release", "/release", required: true) is not { } release) return null;
        var prison = read.String(release, "prisonCode", "/release/prisonCode", required: true, 3)?.ToUpperInvariant();
        if (prison is not null && !mappings.Prisons.ContainsKey(prison)) read.Problem("/release/prisonCode", $"prison '{prison}' is not in the mappings (prisons.json).");
        var releaseDate = read.Date(release, "releaseDate", "/release/releaseDate", required: true);
        if (releaseDate is { } date && (date < today.AddYears(-3) || date > today.AddYears(1)))
            read.Problem("/release/releaseDate", "is not plausible: it must be within 3 years before and 1 year after today.");
        var status = read.String(release, "status", "/release/status", required: true, 20);
        if (status is not null && status is not (ReleaseStatuses.Planned or ReleaseStatuses.Released))
            read.Problem("/release/status", "must be 'planned' or 'released'.");
        if (status == ReleaseStatuses.Released && releaseDate > today)
            read.Problem("/release/releaseDate", "is in the future but the status is 'released'.");
        var releaseType = read.String(release, "releaseType", "/release/releaseType", required: false, TextLimits.ReleaseType);
        if (releaseType is not null && !TokenPattern().IsMatch(releaseType))
            read.Problem("/release/releaseType", "must be a lower-case code such as 'licence'.");

        string? postcode = null, localAuthority = null;
        var noFixedAbode = false;
        if (read.Object(release, "destination", "/release/destination", required: false) is { } destination)
        {
            postcode = read.String(destination, "postcode", "/release/destination/postcode", required: false, TextLimits.Postcode)?.ToUpperInvariant();
            if (postcode is not null && ReferenceData.PostcodeDistrict(postcode) is null)
                read.Problem("/release/destination/postcode", "must be a full UK postcode such as NN17 1AA.");
            localAuthority = read.String(destination, "localAuthorityCode", "/release/destination/localAuthorityCode", required: false, TextLimits.LocalAuthorityCode)?.ToUpperInvariant();
            if (localAuthority is not null && !OnsPattern().IsMatch(localAuthority))
                read.Problem("/release/destination/localAuthorityCode", "must be an ONS local authority code such as E06000061.");
            noFixedAbode = read.Boolean(destination, "noFixedAbode", "/release/destination/noFixedAbode", required: false) ?? false;
        }
        return prison is null || releaseDate is null || status is null
            ? null
            : new ReleaseDetails(prison, releaseDate.Value, status, releaseType, postcode, localAuthority, noFixedAbode);
    }

    private static TreatmentNeed? ReadNeed(JsonFieldReader read, JsonElement root, DateOnly today)
    {
        if (read.Object(root, "treatmentNeed", "/treatmentNeed", required: true) is not { } need) return null;
        var substances = read.StringArray(need, "substances", "/treatmentNeed/substances", required: true);
        var seen = new HashSet<string>();
        for (var i = 0; substances is not null && i < substances.Count; i++)
        {
            if (!Substances.Contains(substances[i]))
                read.Problem($"/treatmentNeed/substances/{i}", $"'{Truncate(substances[i])}' is not a substance code; use one of {string.Join(", ", SubstanceCodes.All)}.");
            else if (!seen.Add(substances[i]))
                read.Problem($"/treatmentNeed/substances/{i}", $"'{substances[i]}' is listed twice.");
        }
        var inTreatment = read.Boolean(need, "inTreatmentInCustody", "/treatmentNeed/inTreatmentInCustody", required: false);
        OpioidSubstitution? ost = null;
        if (read.Object(need, "ost", "/treatmentNeed/ost", required: false) is { } ostElement)
        {
            var medication = read.String(ostElement, "medication", "/treatmentNeed/ost/medication", required: false, TextLimits.OstMedication);
            if (medication is not null && !OstMedications.Contains(medication))
                read.Problem("/treatmentNeed/ost/medication", $"must be one of {string.Join(", ", OstMedications)}.");
            var dose = read.Number(ostElement, "dailyDoseMg", "/treatmentNeed/ost/dailyDoseMg", required: false);
            if (dose is <= 0 or > 500) read.Problem("/treatmentNeed/ost/dailyDoseMg", "must be more than 0 and at most 500 mg.");
            var lastDose = read.Date(ostElement, "lastDoseDate", "/treatmentNeed/ost/lastDoseDate", required: false);
            if (lastDose is { } last && (last < today.AddYears(-3) || last > today.AddYears(1)))
                read.Problem("/treatmentNeed/ost/lastDoseDate", "is not plausible: it must be within 3 years before and 1 year after today.");
            var bridging = read.Boolean(ostElement, "bridgingPrescription", "/treatmentNeed/ost/bridgingPrescription", required: false);
            ost = new OpioidSubstitution(medication, dose, lastDose, bridging);
        }
        var naloxone = read.Boolean(need, "naloxoneIssued", "/treatmentNeed/naloxoneIssued", required: false);
        var consent = read.Boolean(need, "consentToShare", "/treatmentNeed/consentToShare", required: true);
        return substances is null || consent is null ? null : new TreatmentNeed(substances, inTreatment, ost, naloxone, consent.Value);
    }

    private static ContactDetails? ReadContacts(JsonFieldReader read, JsonElement root)
    {
        if (read.Object(root, "contacts", "/contacts", required: false) is not { } contacts) return new ContactDetails(null, null, null, null);
        var prisonTeamEmail = Email(read, contacts, "prisonTeamEmail", "/contacts/prisonTeamEmail");
        string? name = null, email = null, pdu = null;
        if (read.Object(contacts, "probationPractitioner", "/contacts/probationPractitioner", required: false) is { } practitioner)
        {
            name = read.String(practitioner, "name", "/contacts/probationPractitioner/name", required: false, TextLimits.PractitionerName);
            email = Email(read, practitioner, "email", "/contacts/probationPractitioner/email");
            pdu = read.String(practitioner, "pduCode", "/contacts/probationPractitioner/pduCode", required: false, TextLimits.PduCode)?.ToUpperInvariant();
            if (pdu is not null && !PduPattern().IsMatch(pdu)) read.Problem("/contacts/probationPractitioner/pduCode", "must be a probation delivery unit code (letters and digits).");
        }
        return new ContactDetails(prisonTeamEmail, name, email, pdu);
    }

    private static string? Email(JsonFieldReader read, JsonElement parent, string name, string pointer)
    {
        var value = read.String(parent, name, pointer, required: false, TextLimits.Email);
        if (value is not null && !EmailPattern().IsMatch(value)) read.Problem(pointer, "must be an e-mail address.");
        return value;
    }

    // Echoing a client's value back is useful, but never at length.
    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex("^[a-z][a-z0-9-]*$")] private static partial Regex TokenPattern();
    [GeneratedRegex("^[EWSN][0-9]{8}$")] private static partial Regex OnsPattern();
    [GeneratedRegex("^[A-Z0-9]{2,20}$")] private static partial Regex PduPattern();
    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")] private static partial Regex EmailPattern();
}
