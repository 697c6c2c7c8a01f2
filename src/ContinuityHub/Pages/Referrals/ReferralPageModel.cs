using ContinuityHub.Features.Referrals;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Referrals;

/// <summary>
/// What the referral page and its action pages share: the referral read for its provider (audited), the 403
/// and 404 answers, and turning an action's outcome into a redirect back to the referral or the form's problem.
/// Every change goes through <see cref="ReferralActions"/>, the service behind the JSON API and FHIR Task updates.
/// </summary>
[Authorize(Roles = HubRoles.TreatmentProvider)]
public abstract class ReferralPageModel(ReferralRecord records) : HubPageModel
{
    public ReferralView? View { get; private set; }

    public override string Title => View is null ? "Referral" : $"{View.Person.GivenName} {View.Person.FamilyName}";

    protected HubUser Caller => HubUser.From(HttpContext);

    /// <summary>Reads the referral into <see cref="View"/>; null when it may be shown, else the 403 or 404 answer.</summary>
    protected async Task<IActionResult?> LoadAsync(Guid id, CancellationToken ct)
    {
        switch (await records.ReadAsync(id, Caller, ct))
        {
            case ReferralLookup.Found found:
                View = found.View;
                return null;
            case ReferralLookup.Forbidden:
                return StatusCode(StatusCodes.Status403Forbidden);
            default:
                return NotFound();
        }
    }

    /// <summary>Done → back to the referral page saying so (post-redirect-get); refused → the problem on <paramref name="field"/>.</summary>
    protected async Task<IActionResult> AfterAsync(Guid id, ActionOutcome outcome, string done, string field, string what, CancellationToken ct,
        string? target = null)
    {
        switch (outcome)
        {
            case ActionOutcome.Done:
                return Redirect($"{UiNavigation.Referrals}/{id}?done={done}");
            case ActionOutcome.Forbidden:
                return StatusCode(StatusCodes.Status403Forbidden);
            case ActionOutcome.NotFound:
                return NotFound();
            case ActionOutcome.Refused refused:
                Errors.Add(field, Sentence(what, refused.Problem.Detail), target);
                return await LoadAsync(id, ct) ?? PageWithErrors();
            default:
                throw new InvalidOperationException("unknown action outcome");
        }
    }

    /// <summary>The service's message as a sentence about the field: "is in the future; …" → "The engagement date is in the future; …".</summary>
    private static string Sentence(string what, string detail) =>
        detail.StartsWith("is ", StringComparison.Ordinal) ? $"{what} {detail}" : char.ToUpperInvariant(detail[0]) + detail[1..];
}
