using ContinuityHub.Features.Referrals;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Referrals;

/// <summary>
/// <c>/referrals</c>: TREATMENT_PROVIDER's start page, the referral inbox (<see cref="ReferralInbox"/>). Filters are
/// GET query values that name no one: state, prison code, days-left band, page.
/// </summary>
[Authorize(Roles = HubRoles.TreatmentProvider)]
public sealed class IndexModel(ReferralInbox inbox, ReferenceData mappings) : HubPageModel
{
    public override string Title => "Referrals";

    public InboxPage? Inbox { get; private set; }
    public string State { get; private set; } = InboxFilter.Open;
    public string? Prison { get; private set; }
    public string? DaysLeft { get; private set; }
    public IEnumerable<Prison> Prisons => mappings.Prisons.Values.OrderBy(p => p.Name);

    public async Task<IActionResult> OnGetAsync([FromQuery] string? state, [FromQuery] string? prison, [FromQuery] string? daysLeft,
        [FromQuery] string? page, CancellationToken ct)
    {
        (State, Prison, DaysLeft) = (string.IsNullOrWhiteSpace(state) ? InboxFilter.Open : state, prison, daysLeft);
        var (filter, problems) = InboxFilter.Parse(state, prison, daysLeft, page, mappings.Prisons.Keys);
        if (filter is null)
        {
            foreach (var (field, message) in problems) Errors.Add(field, message);
            return PageWithErrors();
        }
        (State, Prison, DaysLeft) = (filter.State, filter.Prison, filter.DaysLeft);
        Inbox = await inbox.ListAsync(HubUser.From(HttpContext), filter, ct);
        return Page();
    }

    /// <summary>The inbox's address with the same filters on another page.</summary>
    public string PageUrl(int page)
    {
        var query = new List<string>();
        if (State != InboxFilter.Open) query.Add("state=" + Uri.EscapeDataString(State));
        if (Prison is not null) query.Add("prison=" + Uri.EscapeDataString(Prison));
        if (DaysLeft is not null) query.Add("daysLeft=" + Uri.EscapeDataString(DaysLeft));
        if (page > 1) query.Add("page=" + page);
        return UiNavigation.Referrals + (query.Count == 0 ? "" : "?" + string.Join("&", query));
    }

    public string PrisonName(string? code) => code is null ? "Unknown prison" : mappings.Prisons.GetValueOrDefault(code)?.Name ?? code;
}
