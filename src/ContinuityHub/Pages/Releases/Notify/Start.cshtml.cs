using ContinuityHub.Features.Releases.Form;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Releases.Notify;

/// <summary><c>/releases/notify</c>: what the form asks, and Start, which opens a new draft (a POST: it writes).</summary>
[Authorize(Roles = HubRoles.PrisonHealthcare)]
public sealed class StartModel(ReleaseFormDrafts drafts) : HubPageModel
{
    public override string Title => "Notify a release";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var draft = await drafts.StartAsync(HubUser.From(HttpContext), cancellationToken);
        return Redirect(NotifyPaths.Step(draft.Id, ReleaseFormSteps.Person));
    }
}
