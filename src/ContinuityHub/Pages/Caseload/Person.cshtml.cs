using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.People;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Pages.Caseload;

/// <summary>
/// <c>/caseload/people/{personId}</c>: every release of one person to the practitioner's delivery units, as
/// <c>GET /api/v1/people/{id}/episodes</c> gives it (<see cref="PeopleStatus"/>), with the person's name. Someone
/// known only to other delivery units is refused (403, nothing shown). Every view is audited (<c>person.episodes.read</c>).
/// </summary>
public sealed class PersonModel(PeopleStatus people, HubDbContext db, ReferenceData mappings) : ProbationPageModel
{
    public static string PathFor(Guid personId) => $"/caseload/people/{personId}";

    public override string Title => Person is null ? "Person" : $"{Person.GivenName} {Person.FamilyName}";

    public Person? Person { get; private set; }
    public IReadOnlyList<EpisodeStatusView> Episodes { get; private set; } = [];
    /// <summary>What the exclusion just recorded did (<see cref="EpisodeExclusionActions"/> results), for the banner.</summary>
    public string? Recorded { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid personId, [FromQuery] string? recorded, CancellationToken ct)
    {
        var entries = await people.EpisodesAsync(Scope, rows => rows.Where(r => r.Person.Id == personId), ct);
        if (entries.Count == 0)
            return await db.People.AnyAsync(p => p.Id == personId, ct) ? Forbid() : NotFound();
        Person = entries[0].Person;
        Episodes = entries.Select(e => e.View).ToList();
        Recorded = recorded is EpisodeExclusionActions.Excluded or EpisodeExclusionActions.AlreadyExcluded or EpisodeExclusionActions.EngagedBefore ? recorded : null;
        await people.AuditShownAsync(Episodes, "person.episodes.read", ct);
        return Page();
    }

    public string PrisonName(string? code) => code is null ? "Not known" : mappings.Prisons.GetValueOrDefault(code)?.Name ?? code;
}
