using ContinuityHub.Features.Releases;
using ContinuityHub.Mappings;

namespace ContinuityHub.Tests.Intake;

/// <summary>Contract §4.1 identifier checks: NHS number (Modulus 11), CRN, NOMS number, PNC check letter, UK postcode.</summary>
public sealed class IdentifierTests
{
    // ---------------------------------------------------------------- NHS number
    // Check digit = 11 - (sum of digit × weight 10..2 over the first nine) mod 11; 11 → 0; 10 → never valid.

    [Theory]
    [InlineData("9434765919")] // 9×10+4×9+3×8+4×7+7×6+6×5+5×4+9×3+1×2 = 299; 299 mod 11 = 2; 11 − 2 = 9
    [InlineData("9434765870")] // sum 308 = 28×11: 11 − 0 = 11 → check digit 0
    [InlineData("4010232137")] // sum 92; 92 mod 11 = 4; 11 − 4 = 7
    public void Valid_NHS_numbers_pass(string value) => Assert.True(Identifiers.IsNhsNumber(value));

    [Theory]
    [InlineData("9434765918")] // right length, wrong check digit (should be 9)
    [InlineData("9434765871")] // should be 0
    [InlineData("4010232138")] // should be 7
    public void An_NHS_number_with_the_wrong_check_digit_fails(string value) => Assert.False(Identifiers.IsNhsNumber(value));

    [Theory]
    [InlineData("1234567890")] // sum 210; 210 mod 11 = 1; 11 − 1 = 10: no digit can be right
    [InlineData("1234567891")]
    [InlineData("1234567899")]
    public void An_NHS_number_whose_check_digit_would_be_10_is_never_valid(string value)
    {
        Assert.False(Identifiers.IsNhsNumber(value));
        // And none of the ten possible last digits rescues it.
        for (var d = 0; d <= 9; d++) Assert.False(Identifiers.IsNhsNumber(value[..9] + d));
    }

    [Theory]
    [InlineData("943476591")]
    [InlineData("94347659190")]
    [InlineData("")]
    [InlineData("943 476 5919")]
    [InlineData("943-476-5919")]
    [InlineData("94347659A9")]
    [InlineData("９４３４７６５９１９")] // full-width digits are not ASCII digits
    public void An_NHS_number_of_the_wrong_length_or_with_non_digits_fails(string value) => Assert.False(Identifiers.IsNhsNumber(value));

    // ---------------------------------------------------------------- CRN and NOMS number

    [Theory]
    [InlineData("X123456", true)]
    [InlineData("A000000", true)]
    [InlineData("x123456", false)]
    [InlineData("X12345", false)]
    [InlineData("X1234567", false)]
    [InlineData("XX12345", false)]
    [InlineData("1234567", false)]
    [InlineData(" X123456", false)]
    [InlineData("", false)]
    public void CRN_is_a_letter_and_six_digits(string value, bool valid) => Assert.Equal(valid, Identifiers.IsCrn(value));

    [Theory]
    [InlineData("A1234BC", true)]
    [InlineData("Z0000ZZ", true)]
    [InlineData("a1234bc", false)]
    [InlineData("A123BC", false)]
    [InlineData("A12345BC", false)]
    [InlineData("A1234B", false)]
    [InlineData("A1234B1", false)]
    [InlineData("11234BC", false)]
    [InlineData("A1234BC ", false)]
    [InlineData("", false)]
    public void NOMS_number_is_a_letter_four_digits_and_two_letters(string value, bool valid) => Assert.Equal(valid, Identifiers.IsNomsNumber(value));

    // ---------------------------------------------------------------- PNC
    // Check letter = ZABCDEFGHJKLMNPQRTUVWXY[(two-digit year + serial padded to 7 digits) mod 23].

    [Theory]
    [InlineData("2001/0123456F")] // 010123456 mod 23 = 6 → F
    [InlineData("01/123456F")]    // the same number: two-digit year, serial padded to 0123456
    [InlineData("2001/123456F")]
    [InlineData("2001/0123456f")] // check letter case is not significant
    [InlineData("99/1234567B")]   // 991234567 mod 23 = 2 → B
    [InlineData("2019/1P")]       // 190000001 mod 23 = 14 → P
    public void Valid_PNC_numbers_pass(string value) => Assert.True(Identifiers.IsPncNumber(value));

    [Theory]
    [InlineData("2001/0123456A")] // check letter should be F
    [InlineData("01/123456G")]
    [InlineData("99/1234567C")]
    [InlineData("2001/0123456")]   // no check letter
    [InlineData("2001-0123456F")]  // wrong separator
    [InlineData("201/0123456F")]   // three-digit year
    [InlineData("2001/01234567F")] // serial over 7 digits
    [InlineData("2001/F")]         // no serial
    [InlineData("")]
    public void Invalid_PNC_numbers_fail(string value) => Assert.False(Identifiers.IsPncNumber(value));

    // ---------------------------------------------------------------- UK postcode → district

    [Theory]
    [InlineData("NN17 1AA", "NN17")]
    [InlineData("nn171aa", "NN17")]
    [InlineData("  NN17 1AA  ", "NN17")]
    [InlineData("NN1 1AA", "NN1")]
    [InlineData("NN29 7AA", "NN29")]
    [InlineData("GIR 0AA", "GIR")]
    [InlineData("EC1A 1BB", "EC1A")]
    [InlineData("W1A 0AX", "W1A")]
    [InlineData("M1 1AE", "M1")]
    [InlineData("B33 8TH", "B33")]
    [InlineData("CR2 6XH", "CR2")]
    [InlineData("DN55 1PT", "DN55")]
    public void A_UK_postcode_gives_its_district(string postcode, string district) =>
        Assert.Equal(district, ReferenceData.PostcodeDistrict(postcode));

    [Theory]
    [InlineData("NN17")]
    [InlineData("12345")]
    [InlineData("NN17 1A")]
    [InlineData("NN17 AAA")]
    [InlineData("NN171 1AA")]
    [InlineData("1N17 1AA")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_but_a_full_UK_postcode_gives_no_district(string? postcode) =>
        Assert.Null(ReferenceData.PostcodeDistrict(postcode));
}
