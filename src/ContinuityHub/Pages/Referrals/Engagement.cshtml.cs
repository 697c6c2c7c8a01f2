using ContinuityHub.Features.Referrals;

namespace ContinuityHub.Pages.Referrals;

/// <summary><c>/referrals/{id}/engagement</c>: the first attended structured intervention (as the API's <c>/engagement</c>).</summary>
public sealed class EngagementModel(ReferralRecord records, ReferralActions actions) : ReferralDateModel(records, new(
    Question: "When did they first attend treatment?",
    Hint: "The first structured treatment intervention they attended: on or after release, and not in the future. For example, 27 11 2026",
    Button: "Record engagement", What: "the date they first attended", Done: "engagement"))
{
    protected override Task<ActionOutcome> ActAsync(Guid id, DateOnly date, CancellationToken ct) => actions.RecordEngagementAsync(id, date, Caller, ct);
}
