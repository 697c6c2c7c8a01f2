using System.Text.RegularExpressions;

namespace ContinuityHub.Domain;

/// <summary>Format and check-digit rules for the identifiers a release notification may carry.</summary>
public static partial class Identifiers
{
    /// <summary>NOMS (prison) number: a letter, four digits, two letters, e.g. A1234BC.</summary>
    public static bool IsNomsNumber(string value) => NomsPattern().IsMatch(value);

    /// <summary>nDelius case reference number: a letter and six digits, e.g. X123456.</summary>
    public static bool IsCrn(string value) => CrnPattern().IsMatch(value);

    /// <summary>NHS number: ten digits whose last is the Modulus 11 check digit of the first nine.</summary>
    public static bool IsNhsNumber(string value)
    {
        if (value.Length != 10 || !value.All(char.IsAsciiDigit)) return false;
        return NhsCheckDigit(value[..9]) is { } check && check == value[9] - '0';
    }

    /// <summary>The Modulus 11 check digit of an NHS number's first nine digits, or null when none exists (a remainder of 10).</summary>
    public static int? NhsCheckDigit(string firstNineDigits)
    {
        var sum = 0;
        for (var i = 0; i < 9; i++) sum += (firstNineDigits[i] - '0') * (10 - i);
        var check = 11 - sum % 11;
        if (check == 11) check = 0;
        return check == 10 ? null : check;
    }

    private const string PncCheckLetters = "ZABCDEFGHJKLMNPQRTUVWXY";

    /// <summary>
    /// Police National Computer id: year (2 or 4 digits) / serial (up to 7 digits) and a check letter,
    /// the letter being (two-digit year followed by the serial padded to 7 digits) mod 23 in ZABCDEFGHJKLMNPQRTUVWXY.
    /// </summary>
    public static bool IsPncNumber(string value)
    {
        var match = PncPattern().Match(value.ToUpperInvariant());
        if (!match.Success) return false;
        return PncCheckLetter(match.Groups["year"].Value, match.Groups["serial"].Value) == match.Groups["check"].Value[0];
    }

    /// <summary>The check letter of a PNC id with this year (2 or 4 digits) and serial (up to 7 digits).</summary>
    public static char PncCheckLetter(string year, string serial) =>
        PncCheckLetters[(int)(long.Parse(year[^2..] + serial.PadLeft(7, '0')) % 23)];

    [GeneratedRegex("^[A-Z][0-9]{4}[A-Z]{2}$")] private static partial Regex NomsPattern();
    [GeneratedRegex("^[A-Z][0-9]{6}$")] private static partial Regex CrnPattern();
    [GeneratedRegex("^(?<year>[0-9]{2}|[0-9]{4})/(?<serial>[0-9]{1,7})(?<check>[A-Z])$")] private static partial Regex PncPattern();
}
