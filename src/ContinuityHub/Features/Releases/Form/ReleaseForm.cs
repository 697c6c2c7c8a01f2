using ContinuityHub.Mappings;
using ContinuityHub.Security;

namespace ContinuityHub.Features.Releases.Form;

/// <summary>What became of sending a "Notify a release" form.</summary>
public abstract record ReleaseFormOutcome
{
    public sealed record Sent(Guid NotificationId) : ReleaseFormOutcome;
    public sealed record Invalid(IReadOnlyList<ReleaseFormError> Errors) : ReleaseFormOutcome;
}

/// <summary>
/// The "Notify a release" form's rules, which are the API's: each step is checked by running the whole
/// answers so far through <see cref="ReleaseNotificationValidator"/> and keeping the step's problems, and
/// sending goes through <see cref="ReleaseSubmission"/> exactly as <c>POST /api/v1/releases</c> does
/// (validation, the caller's prisons scope, idempotency by the draft's notificationId, the intake).
/// </summary>
public sealed class ReleaseForm(ReleaseNotificationValidator validator, ReleaseSubmission submission, ReleaseFormDrafts drafts, ReferenceData mappings)
{
    /// <summary>The prisons the caller may send for: the only choices the form offers.</summary>
    public IReadOnlyList<Prison> PrisonsFor(HubUser user) => PrisonReleases.PrisonsOf(user, mappings);

    /// <summary>The problems with the answers, only those of <paramref name="step"/> when given, in the form's order, one per field.</summary>
    public IReadOnlyList<ReleaseFormError> Check(ReleaseFormAnswers answers, Guid notificationId, string? step = null)
    {
        var built = ReleaseFormNotification.Build(answers, notificationId);
        var (_, problems) = validator.Validate(built.Document);
        return Ordered(FormProblems(answers).Concat(problems.Select(p => ReleaseFormFields.ErrorFor(p, built.UnrealDates))))
            .Where(e => step is null || e.Step == step)
            .ToList();
    }

    public async Task<ReleaseFormOutcome> SendAsync(ReleaseFormDraft draft, HubUser user, CancellationToken cancellationToken)
    {
        if (draft.SubmittedAt is not null) return new ReleaseFormOutcome.Sent(draft.NotificationId);
        var answers = ReleaseFormDrafts.AnswersOf(draft);
        var formProblems = FormProblems(answers).ToList();
        if (formProblems.Count > 0) return new ReleaseFormOutcome.Invalid(formProblems);

        var built = ReleaseFormNotification.Build(answers, draft.NotificationId);
        var outcome = await submission.SubmitAsync(built.Document, user, cancellationToken);
        switch (outcome)
        {
            case SubmissionOutcome.Invalid invalid:
                return new ReleaseFormOutcome.Invalid(Ordered(invalid.Problems.Select(p => ReleaseFormFields.ErrorFor(p, built.UnrealDates))));
            case SubmissionOutcome.Forbidden forbidden:
                var prison = ReleaseFormFields.For("/release/prisonCode")!;
                return new ReleaseFormOutcome.Invalid([new ReleaseFormError(prison.Step, prison.Id, forbidden.Detail)]);
            case SubmissionOutcome.Accepted { Result: IntakeResult.Created or IntakeResult.Replayed }:
                await drafts.MarkSentAsync(draft, cancellationToken);
                return new ReleaseFormOutcome.Sent(draft.NotificationId);
            default:
                // Only if answers changed after a send that was not recorded on the draft: never send them as a second notification.
                return new ReleaseFormOutcome.Invalid([new ReleaseFormError(null, null,
                    "This form was already sent with other answers. Start a new notification to send changes.")]);
        }
    }

    /// <summary>Contradictions only the form can make (the API has no "no treatment need" box to tick beside a substance).</summary>
    private static IEnumerable<ReleaseFormError> FormProblems(ReleaseFormAnswers answers)
    {
        if (answers.Need.NoNeed && answers.Need.Substances.Count > 0)
        {
            var substances = ReleaseFormFields.For("/treatmentNeed/substances")!;
            yield return new ReleaseFormError(substances.Step, substances.Id, "Select the substances used, or 'No treatment need', not both.");
        }
    }

    /// <summary>Step by step and field by field as the form asks them; the first message per field (GOV.UK shows one).</summary>
    private static List<ReleaseFormError> Ordered(IEnumerable<ReleaseFormError> errors) =>
        errors
            .Select((error, index) => (error, index))
            .OrderBy(x => x.error.Step is null ? -1 : ReleaseFormSteps.All.ToList().IndexOf(x.error.Step))
            .ThenBy(x => x.error.FieldId is null ? -1 : FieldOrder(x.error.FieldId))
            .ThenBy(x => x.index)
            .Select(x => x.error)
            .DistinctBy(e => e.FieldId ?? e.Message)
            .ToList();

    private static int FieldOrder(string id)
    {
        for (var i = 0; i < ReleaseFormFields.All.Count; i++)
            if (ReleaseFormFields.All[i].Id == id) return i;
        return int.MaxValue;
    }
}
