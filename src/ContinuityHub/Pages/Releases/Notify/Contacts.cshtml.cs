using ContinuityHub.Features.Releases.Form;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Releases.Notify;

/// <summary>Step 4: consent to share with the provider, and who to contact in the prison and in probation.</summary>
public sealed class ContactsModel(ReleaseForm form, ReleaseFormDrafts drafts) : NotifyStepModel(form, drafts)
{
    protected override string Step => ReleaseFormSteps.Contacts;

    [BindProperty] public ContactAnswers Input { get; set; } = new();

    protected override void Take(ReleaseFormAnswers answers) => answers.Contacts = Input;
}
