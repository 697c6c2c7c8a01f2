using ContinuityHub.Data;
using ContinuityHub.Features.People;
using ContinuityHub.Features.Releases;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Pages.Caseload;

/// <summary>
/// <c>/caseload</c>: the delivery unit's releases of the last 90 days (<see cref="PeopleStatus"/>, as
/// <c>GET /api/v1/caseload</c>), filtered by where each person stands, those at risk first, 50 a page; and
/// "find a person", a POST that redirects to the person's page by its internal id (no NOMS number or CRN in
/// any URL). The episodes on the page are audited (<c>caseload.read</c>).
/// </summary>
public sealed class IndexModel(PeopleStatus people, HubDbContext db, TimeProvider clock) : ProbationPageModel
{
    public const int PageSize = 50;

    public override string Title => "Caseload";

    /// <summary>The filter shown (null: everyone), the unit chosen (null: all the person's units), the page number.</summary>
    public string? Status { get; private set; }
    public string? Pdu { get; private set; }
    public int PageNumber { get; private set; } = 1;
    public int PageCount { get; private set; } = 1;
    public int Total { get; private set; }

    public IReadOnlyList<StatusEntry> Entries { get; private set; } = [];
    /// <summary>How many people each filter would show (null key: all).</summary>
    public IReadOnlyList<(string? Status, int Count)> Counts { get; private set; } = [];
    /// <summary>The delivery units the person may choose between (codes only), when there is more than one.</summary>
    public IReadOnlyList<string> Pdus { get; private set; } = [];

    [BindProperty] public string? Identifier { get; set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] string? status, [FromQuery] string? pdu, [FromQuery(Name = "page")] string? pageText,
        CancellationToken ct)
    {
        if (status is not null && !PeopleStatus.StatusFilters.Contains(status)) Errors.Add("status", "Choose a filter from the list");
        var pageNumber = 1;
        if (pageText is not null && (!int.TryParse(pageText, out pageNumber) || pageNumber < 1)) Errors.Add("page", "The page number must be 1 or more");
        var scope = Scope;
        var pduCode = string.IsNullOrWhiteSpace(pdu) ? null : pdu.Trim().ToUpperInvariant();
        if (pduCode is not null && !scope.CoversPdu(pduCode)) return Forbid();
        if (Errors.Any)
        {
            await LoadAsync(scope, null, null, 1, ct);
            return PageWithErrors();
        }
        await LoadAsync(scope, status, pduCode, pageNumber, ct);
        return Page();
    }

    /// <summary>Find a person by NOMS number or CRN among the releases of the person's delivery units (any date).</summary>
    public async Task<IActionResult> OnPostFindAsync(CancellationToken ct)
    {
        var scope = Scope;
        var identifier = Identifier?.Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal) ?? "";
        Guid? personId = null;
        if (identifier.Length == 0) Errors.Add("identifier", "Enter a NOMS number or a CRN");
        else if (!Identifiers.IsNomsNumber(identifier) && !Identifiers.IsCrn(identifier))
            Errors.Add("identifier", "Enter a NOMS number like A1234BC or a CRN like X123456");
        else
        {
            var found = await people.EpisodesAsync(scope, rows => Identifiers.IsNomsNumber(identifier)
                ? rows.Where(r => r.Person.NomsNumber == identifier)
                : rows.Where(r => r.Person.Crn == identifier), ct);
            personId = found.FirstOrDefault()?.Person.Id;
            // Someone released to another delivery unit is answered like someone unknown: nothing about them is shown.
            if (personId is null) Errors.Add("identifier", "No one with this NOMS number or CRN has a release in your delivery units");
        }
        if (personId is { } id) return Redirect(PersonModel.PathFor(id));
        await LoadAsync(scope, null, null, 1, ct);
        return PageWithErrors();
    }

    private async Task LoadAsync(CallerScope scope, string? status, string? pduCode, int pageNumber, CancellationToken ct)
    {
        (Status, Pdu) = (status, pduCode);
        var caseload = await people.CaseloadAsync(scope, pduCode, status, (long)(pageNumber - 1) * PageSize, PageSize, ct);
        (Counts, Total) = (caseload.Counts, caseload.Total);
        PageCount = Math.Max(1, (Total + PageSize - 1) / PageSize);
        PageNumber = pageNumber;
        if (pageNumber > PageCount)
        {
            // Past the last page (the caseload shrank since the link was made): the last page instead.
            PageNumber = PageCount;
            caseload = await people.CaseloadAsync(scope, pduCode, status, (long)(PageCount - 1) * PageSize, PageSize, ct);
        }
        Entries = caseload.Entries;
        Pdus = scope.AllPdus ? await UnitsWithReleasesAsync(ct) : scope.PduCodes;
        await people.AuditShownAsync(Entries.Select(e => e.View), "caseload.read", ct);
    }

    /// <summary>For a person with every unit (<c>*</c>): the units with releases in the caseload's period, to choose from.</summary>
    private Task<List<string>> UnitsWithReleasesAsync(CancellationToken ct)
    {
        var since = Domain.LondonTime.Today(clock).AddDays(-PeopleStatus.CaseloadDays);
        return db.Episodes.AsNoTracking().Where(e => e.ReleaseDate >= since && e.PduCode != null)
            .Select(e => e.PduCode!.ToUpper()).Distinct().OrderBy(code => code).ToListAsync(ct);
    }

    /// <summary>The caseload's address with this filter, unit and page (codes and numbers only).</summary>
    public string Link(string? status, int page = 1)
    {
        var query = new List<string>();
        if (status is not null) query.Add("status=" + Uri.EscapeDataString(status));
        if (Pdu is not null) query.Add("pdu=" + Uri.EscapeDataString(Pdu));
        if (page > 1) query.Add("page=" + page);
        return "/caseload" + (query.Count == 0 ? "" : "?" + string.Join("&", query));
    }
}
