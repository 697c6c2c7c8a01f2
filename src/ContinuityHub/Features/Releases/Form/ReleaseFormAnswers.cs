namespace ContinuityHub.Features.Releases.Form;

/// <summary>
/// The "Notify a release" form's answers as the person typed them (strings, nothing parsed), one section per
/// step. They are kept server-side in <see cref="ReleaseFormDraft"/> until sent, and only ever judged by
/// turning them into a §4.1 notification (<see cref="ReleaseFormNotification"/>) for the API's validator.
/// </summary>
public sealed class ReleaseFormAnswers
{
    public PersonAnswers Person { get; set; } = new();
    public ReleaseAnswers Release { get; set; } = new();
    public NeedAnswers Need { get; set; } = new();
    public ContactAnswers Contacts { get; set; } = new();
    /// <summary>The steps whose Continue passed, so check-your-answers is reached only with every step seen.</summary>
    public List<string> CompletedSteps { get; set; } = [];
}

/// <summary>A GOV.UK date input: three boxes.</summary>
public sealed class DateAnswer
{
    public string? Day { get; set; }
    public string? Month { get; set; }
    public string? Year { get; set; }

    public bool IsEmpty => string.IsNullOrWhiteSpace(Day) && string.IsNullOrWhiteSpace(Month) && string.IsNullOrWhiteSpace(Year);
}

public sealed class PersonAnswers
{
    public string? NomsNumber { get; set; }
    public string? GivenName { get; set; }
    public string? FamilyName { get; set; }
    public DateAnswer DateOfBirth { get; set; } = new();
    public string? NhsNumber { get; set; }
    public string? Crn { get; set; }
    public string? PncNumber { get; set; }
    public string? Gender { get; set; }
}

public sealed class ReleaseAnswers
{
    public string? PrisonCode { get; set; }
    public DateAnswer ReleaseDate { get; set; } = new();
    public string? Status { get; set; }
    public string? ReleaseType { get; set; }
    /// <summary><see cref="Destinations"/>: where the person goes, which decides which of the fields below apply.</summary>
    public string? Destination { get; set; }
    public string? Postcode { get; set; }
    public string? LocalAuthorityCode { get; set; }
}

public static class Destinations
{
    public const string Address = "address";
    public const string NoFixedAbode = "no-fixed-abode";
}

public sealed class NeedAnswers
{
    /// <summary>Substance codes ticked.</summary>
    public List<string> Substances { get; set; } = [];
    /// <summary>"No treatment need" ticked (the exclusive option of the substances checkboxes).</summary>
    public bool NoNeed { get; set; }
    public string? InTreatmentInCustody { get; set; }
    /// <summary>"true" when the person is on opioid substitution treatment: only then do the OST fields apply.</summary>
    public string? OnOst { get; set; }
    public string? OstMedication { get; set; }
    public string? OstDailyDoseMg { get; set; }
    public DateAnswer OstLastDoseDate { get; set; } = new();
    public string? OstBridgingPrescription { get; set; }
    public string? NaloxoneIssued { get; set; }
}

public sealed class ContactAnswers
{
    public string? ConsentToShare { get; set; }
    public string? PrisonTeamEmail { get; set; }
    public string? ProbationPractitionerName { get; set; }
    public string? ProbationPractitionerEmail { get; set; }
    public string? ProbationPduCode { get; set; }
}
