using ContinuityHub.Features.Referrals;

namespace ContinuityHub.Pages.Referrals;

/// <summary><c>/referrals/{id}/appointment</c>: the first community appointment's date (accepts a new referral, as the API's <c>/appointments</c>).</summary>
public sealed class AppointmentModel(ReferralRecord records, ReferralActions actions) : ReferralDateModel(records)
{
    public override string Question => "When is the first appointment?";
    public override string Hint => "On or after the release date. For example, 27 11 2026";
    public override string Button => "Save appointment";
    protected override string What => "the date of the first appointment";
    protected override string Done => "appointment";

    protected override Task<ActionOutcome> ActAsync(Guid id, DateOnly date, CancellationToken ct) => actions.RecordAppointmentAsync(id, date, Caller, ct);
}
