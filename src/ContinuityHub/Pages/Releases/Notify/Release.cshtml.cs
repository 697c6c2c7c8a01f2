using ContinuityHub.Features.Releases.Form;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Releases.Notify;

/// <summary>Step 2: the prison (only the caller's), the release date and status, and where the person goes.</summary>
public sealed class ReleaseModel(ReleaseForm form, ReleaseFormDrafts drafts, ReferenceData mappings) : NotifyStepModel(form, drafts)
{
    private readonly ReleaseForm _form = form;

    protected override string Step => ReleaseFormSteps.Release;

    [BindProperty] public ReleaseAnswers Input { get; set; } = new();

    public IReadOnlyList<Prison> Prisons => _form.PrisonsFor(HubUser.From(HttpContext));

    public IReadOnlyList<LocalAuthority> LocalAuthorities => mappings.LocalAuthorities.Values.OrderBy(la => la.Name, StringComparer.Ordinal).ToList();

    protected override void Take(ReleaseFormAnswers answers)
    {
        // The postcode belongs to the "at an address" choice: typed and then left behind by choosing no fixed abode, it is not kept.
        if (Input.Destination != Destinations.Address) Input.Postcode = null;
        answers.Release = Input;
    }
}
