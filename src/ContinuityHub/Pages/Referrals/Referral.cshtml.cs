using ContinuityHub.Features.Referrals;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Referrals;

/// <summary><c>/referrals/{id}</c>: the referral, its person, release, need, contacts and history; accept from here.</summary>
public sealed class ReferralModel(ReferralRecord records, ReferralActions actions) : ReferralPageModel(records)
{
    /// <summary>What was just done (from the redirect after an action), for the success banner.</summary>
    public string? Done { get; private set; }

    public static readonly IReadOnlyDictionary<string, string> DoneMessages = new Dictionary<string, string>
    {
        ["accepted"] = "Referral accepted",
        ["rejected"] = "Referral rejected",
        ["appointment"] = "First appointment recorded",
        ["engagement"] = "Engagement recorded",
    };

    public async Task<IActionResult> OnGetAsync(Guid id, [FromQuery] string? done, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refused) return refused;
        Done = done is not null && DoneMessages.ContainsKey(done) ? done : null;
        return Page();
    }

    public async Task<IActionResult> OnPostAcceptAsync(Guid id, CancellationToken ct) =>
        await AfterAsync(id, await actions.AcceptAsync(id, Caller, ct), "accepted", "accept", "The referral", ct);
}
