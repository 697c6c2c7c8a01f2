using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.People;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Pages.Caseload;

/// <summary>
/// <c>/caseload/episodes/{episodeId}/exclusion</c>: record a death, a return to custody, a removal from the UK or
/// a stay in hospital for one release, through <see cref="EpisodeExclusionActions"/> — the service behind
/// <c>POST /api/v1/episodes/{id}/exclusion</c>, so the same rules and messages. Bad input: the GOV.UK error
/// summary and nothing written; done: back to the person's page with what happened.
/// </summary>
public sealed class ExclusionModel(PeopleStatus people, EpisodeExclusionActions exclusions, HubDbContext db) : ProbationPageModel
{
    public static string PathFor(Guid episodeId) => $"/caseload/episodes/{episodeId}/exclusion";

    public static readonly (string Code, string Label, string Hint)[] Reasons =
    [
        (ExclusionReasons.Died, "Died", ""),
        (ExclusionReasons.ReturnedToCustody, "Returned to custody", "Recalled or remanded, for example"),
        (ExclusionReasons.RemovedFromUk, "Removed from the UK", "Deported or removed"),
        (ExclusionReasons.Hospital, "In hospital", "Admitted to hospital, including a secure hospital"),
    ];

    public override string Title => "Record an exclusion";

    public StatusEntry? Entry { get; private set; }

    [BindProperty] public string? Reason { get; set; }
    [BindProperty(Name = "date-day")] public string? Day { get; set; }
    [BindProperty(Name = "date-month")] public string? Month { get; set; }
    [BindProperty(Name = "date-year")] public string? Year { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid episodeId, CancellationToken ct) =>
        await LoadAsync(episodeId, ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(Guid episodeId, CancellationToken ct)
    {
        if (await LoadAsync(episodeId, ct) is { } refused) return refused;
        var readProblems = new List<FieldProblem>();
        if (string.IsNullOrWhiteSpace(Reason)) readProblems.Add(new FieldProblem("/reason", "Select what happened"));
        var date = ReadDate(readProblems);

        var outcome = await exclusions.RecordAsync(episodeId, new ExclusionInput(string.IsNullOrWhiteSpace(Reason) ? null : Reason, date, readProblems),
            HubUser.From(HttpContext), ct);
        switch (outcome)
        {
            case ExclusionOutcome.Recorded recorded:
                return Redirect($"{PersonModel.PathFor(Entry!.Person.Id)}?recorded={recorded.State.Result}#episode-{episodeId}");
            case ExclusionOutcome.Invalid invalid:
                // The page's own messages for what it read; the service's rules in words for the rest.
                foreach (var problem in invalid.Problems.OrderBy(p => p.Pointer == "/reason" ? 0 : 1))
                    Errors.Add(problem.Pointer == "/reason" ? "reason" : "date-day", readProblems.Contains(problem) ? problem.Detail : InWords(problem));
                return PageWithErrors();
            case ExclusionOutcome.Forbidden:
                return Forbid();
            default:
                return NotFound();
        }
    }

    /// <summary>The episode in the practitioner's scope (audited as shown), or the refusal: 403 when it exists elsewhere, 404 when unknown.</summary>
    private async Task<IActionResult?> LoadAsync(Guid episodeId, CancellationToken ct)
    {
        var entries = await people.EpisodesAsync(Scope, rows => rows.Where(r => r.Episode.Id == episodeId), ct);
        if (entries.Count == 0) return await db.Episodes.AnyAsync(e => e.Id == episodeId, ct) ? Forbid() : NotFound();
        Entry = entries[0];
        await people.AuditShownAsync([Entry.View], "person.episodes.read", ct);
        return null;
    }

    /// <summary>The GOV.UK date input's three fields as a date, with the design system's messages (<see cref="DateInput"/>).</summary>
    private DateOnly? ReadDate(List<FieldProblem> problems)
    {
        var (date, problem) = new DateInput(Day?.Trim(), Month?.Trim(), Year?.Trim()).Read("the date it happened");
        if (problem is not null) problems.Add(new FieldProblem("/date", problem));
        return date;
    }

    private static string InWords(FieldProblem problem) => problem.Pointer switch
    {
        "/reason" => "Select what happened from the list",
        _ => "The date " + problem.Detail.TrimEnd('.'),
    };
}
