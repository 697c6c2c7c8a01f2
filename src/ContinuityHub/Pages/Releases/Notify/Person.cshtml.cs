using ContinuityHub.Features.Releases.Form;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Releases.Notify;

/// <summary>Step 1: who is being released.</summary>
public sealed class PersonModel(ReleaseForm form, ReleaseFormDrafts drafts) : NotifyStepModel(form, drafts)
{
    protected override string Step => ReleaseFormSteps.Person;

    [BindProperty] public PersonAnswers Input { get; set; } = new();

    protected override void Take(ReleaseFormAnswers answers) => answers.Person = Input;
}
