using System.Text.Json;
using ContinuityHub.Audit;
using ContinuityHub.Errors;
using ContinuityHub.Security;

namespace ContinuityHub.Features.Releases;

/// <summary>What became of one submitted notification, before it is turned into an HTTP answer or a batch row.</summary>
public abstract record SubmissionOutcome
{
    public sealed record Accepted(IntakeResult Result, ReleaseAccepted? Body) : SubmissionOutcome;
    public sealed record Invalid(IReadOnlyList<FieldProblem> Problems) : SubmissionOutcome;
    public sealed record Forbidden(string Detail) : SubmissionOutcome;
    /// <summary>The notification names a record outside the sender's scope and the identity does not agree; nothing was written.</summary>
    public sealed record IdentityConflict(Guid ConflictId) : SubmissionOutcome;
}

/// <summary>
/// Validate → check the caller may send it → take it in. Shared by the single and batch endpoints, the form and the
/// demo data, so a batch row is judged exactly as the same notification sent alone. Taking in goes through the one
/// group commit (<see cref="IntakeGroupCommit"/>) whatever the path.
/// </summary>
public sealed class ReleaseSubmission(ReleaseNotificationValidator validator, IntakeGroupCommit intake, CurrentActor actor)
{
    public async Task<SubmissionOutcome> SubmitAsync(JsonElement document, HubUser user, CancellationToken cancellationToken)
    {
        var (refused, item) = Prepare(document, user);
        return refused ?? await TakeInAsync(item!, cancellationToken);
    }

    /// <summary>The checks that need no database: the answer when they refuse, else the notification ready to take in.</summary>
    public (SubmissionOutcome? Refused, IntakeItem? Item) Prepare(JsonElement document, HubUser user)
    {
        var (notification, problems) = validator.Validate(document);
        if (notification is null) return (new SubmissionOutcome.Invalid(problems), null);
        var refusal = Refusal(notification, user);
        if (refusal is not null) return (new SubmissionOutcome.Forbidden(refusal), null);
        return (null, new IntakeItem(notification, CanonicalJson.From(document), user, actor.Get()));
    }

    public async Task<SubmissionOutcome> TakeInAsync(IntakeItem item, CancellationToken cancellationToken)
    {
        var outcome = await intake.SubmitAsync(item).WaitAsync(cancellationToken);
        return outcome.Result == IntakeResult.IdentityConflict
            ? new SubmissionOutcome.IdentityConflict(outcome.ConflictId!.Value)
            : new SubmissionOutcome.Accepted(outcome.Result, outcome.Body);
    }

    /// <summary>Contract §3: prison teams send for their prisons, probation for their delivery units.</summary>
    private static string? Refusal(ValidReleaseNotification notification, HubUser user) => notification.Source switch
    {
        ReleaseSources.PrisonHealthcare when !user.IsIn(HubRoles.PrisonHealthcare) =>
            "Only the PRISON_HEALTHCARE role may send notifications with source prison-healthcare.",
        ReleaseSources.PrisonHealthcare when !user.MayActForPrison(notification.Release.PrisonCode) =>
            $"Prison {notification.Release.PrisonCode} is outside your token's prisons scope.",
        ReleaseSources.Probation when !user.IsIn(HubRoles.Probation) =>
            "Only the PROBATION role may send notifications with source probation.",
        ReleaseSources.Probation when !user.MayActForPdu(notification.Contacts.PduCode) =>
            $"Delivery unit {notification.Contacts.PduCode} is outside your token's pdu scope.",
        _ => null,
    };
}
