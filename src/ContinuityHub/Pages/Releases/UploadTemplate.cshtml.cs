using ContinuityHub.Features.Releases;
using ContinuityHub.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ContinuityHub.Pages.Releases;

/// <summary><c>/releases/upload/template.csv</c>: the CSV template, the header row of <see cref="CsvReleaseRows"/>' columns.</summary>
[Authorize(Roles = HubRoles.PrisonHealthcare)]
public sealed class UploadTemplateModel : PageModel
{
    public FileContentResult OnGet() =>
        File(System.Text.Encoding.UTF8.GetBytes(CsvReleaseRows.Template()), "text/csv; charset=utf-8", "releases-template.csv");
}
