using ContinuityHub.Features.Referrals;

namespace ContinuityHub.Pages.Referrals;

/// <summary><c>/referrals/{id}/appointment</c>: the first community appointment's date (accepts a new referral, as the API's <c>/appointments</c>).</summary>
public sealed class AppointmentModel(ReferralRecord records, ReferralActions actions) : ReferralDateModel(records, new(
    Question: "When is the first appointment?",
    Hint: "On or after the release date. For example, 27 11 2026",
    Button: "Save appointment", What: "the date of the first appointment", Done: "appointment"))
{
    protected override Task<ActionOutcome> ActAsync(Guid id, DateOnly date, CancellationToken ct) => actions.RecordAppointmentAsync(id, date, Caller, ct);
}
