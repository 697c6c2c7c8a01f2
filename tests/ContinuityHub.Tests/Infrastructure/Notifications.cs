using System.Text.Json.Nodes;

namespace ContinuityHub.Tests.Infrastructure;

/// <summary>Builds release notifications for tests: the contract §4.1 example, with parts changed.</summary>
public static class Notifications
{
    private static int _nomsSerial;

    /// <summary>A distinct, valid NOMS number each call (A0000AA, A0001AA…).</summary>
    public static string NewNomsNumber()
    {
        var n = Interlocked.Increment(ref _nomsSerial) + Random.Shared.Next(0, 500) * 10_000;
        var digits = n % 10_000;
        var letters = n / 10_000;
        return $"{(char)('A' + letters / 676 % 26)}{digits:D4}{(char)('A' + letters / 26 % 26)}{(char)('A' + letters % 26)}";
    }

    public static JsonObject Example(string? nomsNumber = null, string releaseDate = "2026-12-01", string status = "planned",
        string prisonCode = "ONI", string? postcode = "NN17 1AA", bool consent = true, string[]? substances = null) => new()
    {
        ["notificationId"] = Guid.NewGuid().ToString(),
        ["source"] = "prison-healthcare",
        ["person"] = new JsonObject
        {
            ["nomsNumber"] = nomsNumber ?? NewNomsNumber(),
            ["nhsNumber"] = "9434765919",
            ["crn"] = "X123456",
            ["pncNumber"] = "2001/0123456F",
            ["givenName"] = "Sam",
            ["familyName"] = "Example",
            ["dateOfBirth"] = "1985-03-14",
            ["gender"] = "male",
        },
        ["release"] = new JsonObject
        {
            ["prisonCode"] = prisonCode,
            ["releaseDate"] = releaseDate,
            ["status"] = status,
            ["releaseType"] = "licence",
            ["destination"] = new JsonObject { ["postcode"] = postcode, ["localAuthorityCode"] = null, ["noFixedAbode"] = false },
        },
        ["treatmentNeed"] = new JsonObject
        {
            ["substances"] = new JsonArray((substances ?? ["opiates", "crack"]).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            ["inTreatmentInCustody"] = true,
            ["ost"] = new JsonObject { ["medication"] = "methadone", ["dailyDoseMg"] = 60, ["lastDoseDate"] = "2026-11-30", ["bridgingPrescription"] = true },
            ["naloxoneIssued"] = true,
            ["consentToShare"] = consent,
        },
        ["contacts"] = new JsonObject
        {
            ["prisonTeamEmail"] = "healthcare.oni@example.nhs.uk",
            ["probationPractitioner"] = new JsonObject { ["name"] = "Jo Smith", ["email"] = "jo.smith@example.justice.gov.uk", ["pduCode"] = "N56NNE" },
        },
    };
}
