using ContinuityHub.Features.Referrals;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Referrals;

/// <summary>A referral action that takes one date (the first appointment, engagement): a GOV.UK date input named <c>date</c>.</summary>
public abstract class ReferralDateModel(ReferralRecord records) : ReferralPageModel(records)
{
    public const string Field = "date";

    public DateInput Date { get; private set; } = new(null, null, null);

    /// <summary>The question, as the page's heading.</summary>
    public abstract string Question { get; }
    public abstract string Hint { get; }
    public abstract string Button { get; }

    /// <summary>The date in words for messages: "the date of the first appointment".</summary>
    protected abstract string What { get; }
    protected abstract string Done { get; }
    protected abstract Task<ActionOutcome> ActAsync(Guid id, DateOnly date, CancellationToken ct);

    public override string Title => Question;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken ct)
    {
        Date = DateInput.From(Request.Form, Field);
        var (date, problem) = Date.Read(What);
        if (problem is not null)
        {
            Errors.Add(Field, problem, Field + "-day");
            return await LoadAsync(id, ct) ?? PageWithErrors();
        }
        return await AfterAsync(id, await ActAsync(id, date!.Value, ct), Done, Field, char.ToUpperInvariant(What[0]) + What[1..], ct, Field + "-day");
    }
}
