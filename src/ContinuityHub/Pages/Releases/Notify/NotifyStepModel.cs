using ContinuityHub.Features.Releases.Form;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Releases.Notify;

/// <summary>
/// One step of "Notify a release": shows the draft's answers for the step, and on Continue checks them with
/// the API's validator (<see cref="ReleaseForm.Check"/>), keeps them in the draft only when the step has no
/// problem, and goes on to the next step, or back to check-your-answers once every step was seen.
/// </summary>
[Authorize(Roles = HubRoles.PrisonHealthcare)]
public abstract class NotifyStepModel(ReleaseForm form, ReleaseFormDrafts drafts) : HubPageModel
{
    [FromRoute] public Guid DraftId { get; set; }

    protected abstract string Step { get; }

    public override string Title => ReleaseFormSteps.Title(Step);

    public ReleaseFormAnswers Answers { get; private set; } = new();

    public int StepNumber => ReleaseFormSteps.All.ToList().IndexOf(Step) + 1;

    /// <summary>Where "Back" goes: the previous step, or check-your-answers when changing an answer from there.</summary>
    public string BackLink => AllStepsDone(Answers)
        ? NotifyPaths.Check(DraftId)
        : StepNumber == 1 ? NotifyPaths.Start : NotifyPaths.Step(DraftId, ReleaseFormSteps.All[StepNumber - 2]);

    /// <summary>Copies the posted fields of this step into the answers.</summary>
    protected abstract void Take(ReleaseFormAnswers answers);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var draft = await drafts.FindAsync(DraftId, HubUser.From(HttpContext), cancellationToken);
        if (draft is null) return NotFound();
        if (draft.SubmittedAt is not null) return Redirect(NotifyPaths.Outcome(draft.NotificationId));
        Answers = ReleaseFormDrafts.AnswersOf(draft);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var draft = await drafts.FindAsync(DraftId, HubUser.From(HttpContext), cancellationToken);
        if (draft is null) return NotFound();
        if (draft.SubmittedAt is not null) return Redirect(NotifyPaths.Outcome(draft.NotificationId));
        Answers = ReleaseFormDrafts.AnswersOf(draft);
        Take(Answers);

        foreach (var error in form.Check(Answers, draft.NotificationId, Step)) Errors.Add(error.FieldId ?? "", error.Message);
        if (Errors.Any) return PageWithErrors();

        if (!Answers.CompletedSteps.Contains(Step)) Answers.CompletedSteps.Add(Step);
        await drafts.SaveAsync(draft, Answers, cancellationToken);
        var next = AllStepsDone(Answers) ? null : ReleaseFormSteps.Next(Step);
        return Redirect(next is null ? NotifyPaths.Check(DraftId) : NotifyPaths.Step(DraftId, next));
    }

    public static bool AllStepsDone(ReleaseFormAnswers answers) => ReleaseFormSteps.All.All(answers.CompletedSteps.Contains);
}

/// <summary>The addresses of the form's pages: ids only, never an answer.</summary>
public static class NotifyPaths
{
    public const string Start = "/releases/notify";
    public static string Step(Guid draftId, string step) => $"/releases/notify/{draftId}/{step}";
    public static string Check(Guid draftId) => $"/releases/notify/{draftId}/check";
    public static string Outcome(Guid notificationId) => $"/releases/notifications/{notificationId}";
}
