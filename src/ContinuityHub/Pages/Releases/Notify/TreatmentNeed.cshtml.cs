using ContinuityHub.Features.Releases.Form;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Releases.Notify;

/// <summary>Step 3: substances (or no treatment need), treatment in custody, OST and naloxone.</summary>
public sealed class TreatmentNeedModel(ReleaseForm form, ReleaseFormDrafts drafts) : NotifyStepModel(form, drafts)
{
    protected override string Step => ReleaseFormSteps.Need;

    [BindProperty] public NeedAnswers Input { get; set; } = new();

    /// <summary>The §4.1 substance codes with the words the form shows.</summary>
    public static readonly IReadOnlyList<Choice> Substances =
    [
        new("opiates", "Opiates", "For example heroin"),
        new("crack", "Crack cocaine"),
        new("cocaine", "Cocaine (powder)"),
        new("cannabis", "Cannabis"),
        new("amphetamines", "Amphetamines"),
        new("benzodiazepines", "Benzodiazepines"),
        new("synthetic-cannabinoids", "Synthetic cannabinoids", "For example spice"),
        new("ketamine", "Ketamine"),
        new("other-drugs", "Other drugs"),
        new("alcohol", "Alcohol"),
    ];

    public static readonly IReadOnlyList<Choice> OstMedications =
    [
        new("methadone", "Methadone"),
        new("buprenorphine", "Buprenorphine"),
        new("buprenorphine-prolonged-release", "Buprenorphine prolonged-release injection"),
        new("other", "Other"),
    ];

    protected override void Take(ReleaseFormAnswers answers)
    {
        // The OST details belong to "yes": typed and then left behind by answering no, they are not kept.
        if (Input.OnOst != "true")
        {
            Input.OstMedication = null;
            Input.OstDailyDoseMg = null;
            Input.OstLastDoseDate = new DateAnswer();
            Input.OstBridgingPrescription = null;
        }
        answers.Need = Input;
    }
}
