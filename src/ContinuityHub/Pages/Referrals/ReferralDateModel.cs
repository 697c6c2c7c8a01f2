using ContinuityHub.Features.Referrals;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Referrals;

/// <summary>What a one-date page asks: its heading, hint and button; the date in words for messages ("the date of the
/// first appointment"); the <c>?done=</c> code of the referral page's banner.</summary>
public sealed record DateQuestion(string Question, string Hint, string Button, string What, string Done);

/// <summary>A referral action that takes one date (the first appointment, engagement): a GOV.UK date input named <c>date</c>.</summary>
public abstract class ReferralDateModel(ReferralRecord records, DateQuestion asks) : ReferralPageModel(records)
{
    public const string Field = "date";

    public DateInput Date { get; private set; } = new(null, null, null);

    public string Question => asks.Question;
    public string Hint => asks.Hint;
    public string Button => asks.Button;
    private string What => asks.What;
    private string Done => asks.Done;

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
