using System.Globalization;
using System.Text;
using ContinuityHub.Data;

namespace ContinuityHub.Features.Episodes;

/// <summary>What <see cref="IdentityAgreement.Judge"/> found: agreement and on what, or the fields that disagree (names only).</summary>
public sealed record IdentityVerdict(bool Agrees, string? AgreedBy, IReadOnlyList<string> DisagreeingFields);

/// <summary>
/// Whether a message describes the same person the hub already holds under its NOMS number (docs/decisions.md,
/// "Writes across scopes"): the same NHS number, or — when either side has no NHS number — the same date of
/// birth and the same family name, compared without regard to case, accents, spaces, hyphens and apostrophes
/// ("O'Brien" = "obrien", "Zoë" = "Zoe", "Smith-Jones" = "Smith Jones"). Two different NHS numbers never agree,
/// whatever the names say. A person the hub holds no identity for (known only from HMPPS events) has nothing to
/// disagree with.
/// </summary>
public static class IdentityAgreement
{
    public const string ByNhsNumber = "nhs-number";
    public const string ByDateOfBirthAndFamilyName = "date-of-birth-and-family-name";
    public const string NothingHeld = "no-identity-held";

    public static bool HoldsIdentity(Person person) => person.NhsNumber is not null || person.DateOfBirth is not null || person.FamilyName is not null;

    public static IdentityVerdict Judge(Person held, string? nhsNumber, DateOnly? dateOfBirth, string? familyName)
    {
        if (!HoldsIdentity(held)) return new IdentityVerdict(true, NothingHeld, []);
        if (held.NhsNumber is not null && nhsNumber is not null)
            return held.NhsNumber == nhsNumber ? new IdentityVerdict(true, ByNhsNumber, []) : new IdentityVerdict(false, null, ["nhsNumber"]);

        var disagreeing = new List<string>();
        if (held.DateOfBirth is null || dateOfBirth is null || held.DateOfBirth != dateOfBirth) disagreeing.Add("dateOfBirth");
        if (held.FamilyName is null || familyName is null || Normalise(held.FamilyName) != Normalise(familyName)) disagreeing.Add("familyName");
        return disagreeing.Count == 0 ? new IdentityVerdict(true, ByDateOfBirthAndFamilyName, []) : new IdentityVerdict(false, null, disagreeing);
    }

    /// <summary>Letters and digits only, accents removed, in capitals.</summary>
    public static string Normalise(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsLetterOrDigit(c)) builder.Append(char.ToUpperInvariant(c));
        }
        return builder.ToString();
    }
}
