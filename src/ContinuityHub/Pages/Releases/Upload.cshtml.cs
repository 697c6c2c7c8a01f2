using ContinuityHub.Features.Releases;
using ContinuityHub.Hosting;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Pages.Releases;

/// <summary>
/// <c>/releases/upload</c>: a CSV of releases (docs/releases-csv.md) through <see cref="ReleaseBatch"/>, the
/// pipeline of <c>POST /api/v1/releases/batch</c>, answered row by row on the page. A missing, empty, oversized
/// or non-CSV file, or one whose header is wrong, is refused whole and nothing is written.
/// </summary>
[Authorize(Roles = HubRoles.PrisonHealthcare)]
public sealed class UploadModel(ReleaseBatch batch, IOptions<HubOptions> options) : HubPageModel
{
    public const string FileField = "file";
    public const string TemplatePath = "/releases/upload/template.csv";

    public override string Title => Result is null ? "Upload a CSV of releases" : "Upload results";

    public BatchResult? Result { get; private set; }

    public string? FileName { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReleaseCsvUpload.ReadAsync(file, options.Value.MaxBatchBytes, cancellationToken);
        if (body is null)
        {
            Errors.Add(FileField, problem!);
            return PageWithErrors();
        }
        switch (await batch.SubmitCsvAsync(body, HubUser.From(HttpContext), HttpContext.TraceIdentifier, cancellationToken))
        {
            case BatchOutcome.Answered answered:
                Result = answered.Result;
                FileName = Path.GetFileName(file!.FileName);
                return Page();
            case BatchOutcome.Refused refused:
                foreach (var refusal in refused.Problems) Errors.Add(FileField, $"The file was not read: {refusal.Detail}");
                return PageWithErrors();
            case BatchOutcome.TooManyRows:
                Errors.Add(FileField, $"The selected file must hold at most {ReleaseBatch.MaxRows} releases; split it into smaller files.");
                return PageWithErrors();
            default:
                throw new InvalidOperationException("Unknown batch outcome.");
        }
    }

    /// <summary>The row's result in words: what the hub did with it.</summary>
    public static string OutcomeText(BatchRowResult row) => row.Outcome switch
    {
        "accepted" => row.ReferralOutcome == ReferralOutcomes.Updated ? "Updated" : "Created",
        "duplicate" => "Already received",
        "rejected" => "Not accepted",
        _ => "Error",
    };

    public static string ReferralText(string? referralOutcome) => referralOutcome switch
    {
        null => "",
        ReferralOutcomes.Created => "Referral sent",
        ReferralOutcomes.Updated => "Referral updated",
        ReferralOutcomes.NoTreatmentNeed => "No referral: no treatment need",
        ReferralOutcomes.NoConsent => "No referral: no consent",
        ReferralOutcomes.ConsentWithdrawn => "Referral cancelled: consent withdrawn",
        ReferralOutcomes.NoProviderForDestination => "No referral: no provider covers the destination",
        var other => other,
    };
}
