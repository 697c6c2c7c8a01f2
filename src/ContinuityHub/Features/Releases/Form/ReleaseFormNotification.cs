using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContinuityHub.Features.Releases.Form;

/// <summary>The §4.1 notification the form's answers make, and the date fields whose boxes made no calendar date.</summary>
public sealed record ReleaseFormDocument(JsonElement Document, IReadOnlySet<string> UnrealDates);

/// <summary>
/// Turns the form's answers into the JSON notification <c>POST /api/v1/releases</c> takes, so the form is
/// judged by the same validator and taken in by the same submission pipeline. Nothing is checked here:
/// an empty answer is left out, and a value that is not what its field takes (a dose "sixty", a date
/// 31 2 2000) is passed on as text for the validator to name.
/// </summary>
public static class ReleaseFormNotification
{
    public static ReleaseFormDocument Build(ReleaseFormAnswers answers, Guid notificationId)
    {
        var unrealDates = new HashSet<string>();
        var person = answers.Person;
        var release = answers.Release;
        var need = answers.Need;
        var contacts = answers.Contacts;

        var destination = new JsonObject();
        if (release.Destination == Destinations.Address)
        {
            destination["noFixedAbode"] = false;
            Put(destination, "postcode", release.Postcode);
        }
        else if (release.Destination == Destinations.NoFixedAbode) destination["noFixedAbode"] = true;
        else if (!string.IsNullOrWhiteSpace(release.Destination)) destination["noFixedAbode"] = release.Destination.Trim();
        Put(destination, "localAuthorityCode", release.LocalAuthorityCode);

        var treatmentNeed = new JsonObject();
        if (need.NoNeed) treatmentNeed["substances"] = new JsonArray();
        else if (need.Substances.Count > 0) treatmentNeed["substances"] = new JsonArray([.. need.Substances.Select(s => (JsonNode?)JsonValue.Create(s))]);
        PutBoolean(treatmentNeed, "inTreatmentInCustody", need.InTreatmentInCustody);
        if (need.OnOst == "true")
        {
            var ost = new JsonObject();
            Put(ost, "medication", need.OstMedication);
            PutNumber(ost, "dailyDoseMg", need.OstDailyDoseMg);
            PutDate(ost, "lastDoseDate", need.OstLastDoseDate, "/treatmentNeed/ost/lastDoseDate", unrealDates);
            PutBoolean(ost, "bridgingPrescription", need.OstBridgingPrescription);
            treatmentNeed["ost"] = ost;
        }
        PutBoolean(treatmentNeed, "naloxoneIssued", need.NaloxoneIssued);
        PutBoolean(treatmentNeed, "consentToShare", contacts.ConsentToShare);

        var practitioner = new JsonObject();
        Put(practitioner, "name", contacts.ProbationPractitionerName);
        Put(practitioner, "email", contacts.ProbationPractitionerEmail);
        Put(practitioner, "pduCode", contacts.ProbationPduCode);
        var contactsObject = new JsonObject();
        Put(contactsObject, "prisonTeamEmail", contacts.PrisonTeamEmail);
        if (practitioner.Count > 0) contactsObject["probationPractitioner"] = practitioner;

        var personObject = new JsonObject();
        Put(personObject, "nomsNumber", person.NomsNumber);
        Put(personObject, "nhsNumber", person.NhsNumber?.Replace(" ", ""));
        Put(personObject, "crn", person.Crn);
        Put(personObject, "pncNumber", person.PncNumber);
        Put(personObject, "givenName", person.GivenName);
        Put(personObject, "familyName", person.FamilyName);
        PutDate(personObject, "dateOfBirth", person.DateOfBirth, "/person/dateOfBirth", unrealDates);
        Put(personObject, "gender", person.Gender);

        var releaseObject = new JsonObject();
        Put(releaseObject, "prisonCode", release.PrisonCode);
        PutDate(releaseObject, "releaseDate", release.ReleaseDate, "/release/releaseDate", unrealDates);
        Put(releaseObject, "status", release.Status);
        Put(releaseObject, "releaseType", release.ReleaseType);
        if (destination.Count > 0) releaseObject["destination"] = destination;

        var root = new JsonObject
        {
            ["notificationId"] = notificationId.ToString("D"),
            ["source"] = ReleaseSources.PrisonHealthcare,
            ["person"] = personObject,
            ["release"] = releaseObject,
            ["treatmentNeed"] = treatmentNeed,
            ["contacts"] = contactsObject,
        };
        return new ReleaseFormDocument(JsonSerializer.SerializeToElement(root), unrealDates);
    }

    /// <summary>The ISO date the three boxes make, or null when all are empty; boxes that make no date give their text as typed.</summary>
    public static string? IsoDate(DateAnswer date, out bool real)
    {
        real = true;
        if (date.IsEmpty) return null;
        var (day, month, year) = (date.Day?.Trim() ?? "", date.Month?.Trim() ?? "", date.Year?.Trim() ?? "");
        if (int.TryParse(day, NumberStyles.None, CultureInfo.InvariantCulture, out var d)
            && int.TryParse(month, NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            && int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            && y is >= 1 and <= 9999 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m))
            return new DateOnly(y, m, d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        real = false;
        return $"{year}-{month}-{day}";
    }

    private static void PutDate(JsonObject parent, string name, DateAnswer date, string pointer, HashSet<string> unrealDates)
    {
        var iso = IsoDate(date, out var real);
        if (iso is null) return;
        if (!real) unrealDates.Add(pointer);
        parent[name] = iso;
    }

    private static void Put(JsonObject parent, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)) parent[name] = value.Trim();
    }

    private static void PutBoolean(JsonObject parent, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return;
        parent[name] = bool.TryParse(value.Trim(), out var flag) ? JsonValue.Create(flag) : JsonValue.Create(value.Trim());
    }

    private static void PutNumber(JsonObject parent, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return;
        parent[name] = decimal.TryParse(value.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? JsonValue.Create(number)
            : JsonValue.Create(value.Trim());
    }
}
