using ContinuityHub.Features.Referrals;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Referrals;

/// <summary><c>/referrals/{id}/reject</c>: rejecting needs a reason (as the API's <c>/reject</c>).</summary>
public sealed class RejectModel(ReferralRecord records, ReferralActions actions) : ReferralPageModel(records)
{
    public override string Title => "Reject the referral";

    public string? Reason { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(Guid id, [FromForm] string? reason, CancellationToken ct)
    {
        Reason = reason?.Trim();
        if (string.IsNullOrEmpty(Reason)) Errors.Add("reason", "Enter why you are rejecting the referral");
        else if (Reason.Length > ReferralActions.RejectionReasonMaxLength)
            Errors.Add("reason", $"The reason must be {ReferralActions.RejectionReasonMaxLength} characters or fewer");
        if (Errors.Any) return await LoadAsync(id, ct) ?? PageWithErrors();
        return await AfterAsync(id, await actions.RejectAsync(id, Reason!, Caller, ct), "rejected", "reason", "The referral", ct);
    }
}
