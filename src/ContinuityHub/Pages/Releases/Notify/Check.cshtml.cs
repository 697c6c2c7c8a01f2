using System.Globalization;
using ContinuityHub.Features.Releases.Form;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ContinuityHub.Pages.Releases.Notify;

/// <summary>One answer on check-your-answers; <see cref="FieldId"/> is the row's id, so an error links to it.</summary>
public sealed record AnswerRow(string FieldId, string Key, string Value);

public sealed record AnswerSection(string Step, string Heading, IReadOnlyList<AnswerRow> Rows);

/// <summary>
/// <c>/releases/notify/{draftId}/check</c>: every answer with a change link, and Send, which submits the
/// draft through <see cref="ReleaseForm.SendAsync"/> (the API's pipeline) and shows the outcome page.
/// </summary>
[Authorize(Roles = HubRoles.PrisonHealthcare)]
public sealed class CheckModel(ReleaseForm form, ReleaseFormDrafts drafts, ReferenceData mappings) : HubPageModel
{
    public const string SendId = "send";

    [FromRoute] public Guid DraftId { get; set; }

    public override string Title => "Check your answers before sending the notification";

    public IReadOnlyList<AnswerSection> Sections { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var draft = await drafts.FindAsync(DraftId, HubUser.From(HttpContext), cancellationToken);
        if (draft is null) return NotFound();
        if (draft.SubmittedAt is not null) return Redirect(NotifyPaths.Outcome(draft.NotificationId));
        var answers = ReleaseFormDrafts.AnswersOf(draft);
        var missing = ReleaseFormSteps.All.FirstOrDefault(step => !answers.CompletedSteps.Contains(step));
        if (missing is not null) return Redirect(NotifyPaths.Step(DraftId, missing));
        Sections = Describe(answers);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var user = HubUser.From(HttpContext);
        var draft = await drafts.FindAsync(DraftId, user, cancellationToken);
        if (draft is null) return NotFound();
        var outcome = await form.SendAsync(draft, user, cancellationToken);
        if (outcome is ReleaseFormOutcome.Sent sent) return Redirect(NotifyPaths.Outcome(sent.NotificationId));

        foreach (var error in ((ReleaseFormOutcome.Invalid)outcome).Errors) Errors.Add(error.FieldId ?? SendId, error.Message);
        Sections = Describe(ReleaseFormDrafts.AnswersOf(draft));
        return PageWithErrors();
    }

    public string ChangeLink(string step, string fieldId) => $"{NotifyPaths.Step(DraftId, step)}#{fieldId}";

    private List<AnswerSection> Describe(ReleaseFormAnswers answers)
    {
        var (p, r, n, c) = (answers.Person, answers.Release, answers.Need, answers.Contacts);
        var need = new List<AnswerRow>
        {
            new("substances", "Substances", n.NoNeed ? "No treatment need"
                : string.Join(", ", TreatmentNeedModel.Substances.Where(s => n.Substances.Contains(s.Value)).Select(s => s.Label))),
            new("inTreatmentInCustody", "In treatment in custody", YesNo(n.InTreatmentInCustody)),
            new("onOst", "On opioid substitution treatment", YesNo(n.OnOst)),
        };
        if (n.OnOst == "true")
        {
            need.Add(new("ostMedication", "OST medication", Label(TreatmentNeedModel.OstMedications, n.OstMedication)));
            need.Add(new("ostDailyDoseMg", "Daily dose", string.IsNullOrWhiteSpace(n.OstDailyDoseMg) ? "" : $"{n.OstDailyDoseMg.Trim()} mg"));
            need.Add(new("ostLastDoseDate-day", "Date of last dose", Date(n.OstLastDoseDate)));
            need.Add(new("ostBridgingPrescription", "Bridging prescription", YesNo(n.OstBridgingPrescription)));
        }
        need.Add(new("naloxoneIssued", "Naloxone issued", YesNo(n.NaloxoneIssued)));

        return
        [
            new(ReleaseFormSteps.Person, ReleaseFormSteps.Title(ReleaseFormSteps.Person),
            [
                new("nomsNumber", "NOMS number", p.NomsNumber ?? ""),
                new("givenName", "Given name", p.GivenName ?? ""),
                new("familyName", "Family name", p.FamilyName ?? ""),
                new("dateOfBirth-day", "Date of birth", Date(p.DateOfBirth)),
                new("nhsNumber", "NHS number", p.NhsNumber ?? ""),
                new("crn", "CRN", p.Crn ?? ""),
                new("pncNumber", "PNC number", p.PncNumber ?? ""),
                new("gender", "Gender", p.Gender switch { "male" => "Male", "female" => "Female", "other" => "Other", "unknown" => "Not known", _ => p.Gender ?? "" }),
            ]),
            new(ReleaseFormSteps.Release, ReleaseFormSteps.Title(ReleaseFormSteps.Release),
            [
                new("prisonCode", "Prison", r.PrisonCode is null ? "" : mappings.Prisons.GetValueOrDefault(r.PrisonCode)?.Name ?? r.PrisonCode),
                new("releaseDate-day", "Release date", Date(r.ReleaseDate)),
                new("status", "Status", r.Status switch { "planned" => "Planned", "released" => "Released", _ => r.Status ?? "" }),
                new("releaseType", "Release type", r.ReleaseType ?? ""),
                new("destination", "Where the person will live", r.Destination switch
                {
                    Destinations.Address => string.IsNullOrWhiteSpace(r.Postcode) ? "At an address" : $"At an address, {r.Postcode.Trim().ToUpperInvariant()}",
                    Destinations.NoFixedAbode => "No fixed abode",
                    _ => "",
                }),
                new("localAuthorityCode", "Local authority", r.LocalAuthorityCode is null ? "" : mappings.LocalAuthorities.GetValueOrDefault(r.LocalAuthorityCode)?.Name ?? r.LocalAuthorityCode),
            ]),
            new(ReleaseFormSteps.Need, ReleaseFormSteps.Title(ReleaseFormSteps.Need), need),
            new(ReleaseFormSteps.Contacts, ReleaseFormSteps.Title(ReleaseFormSteps.Contacts),
            [
                new("consentToShare", "Consent to share", YesNo(c.ConsentToShare)),
                new("prisonTeamEmail", "Prison healthcare team email", c.PrisonTeamEmail ?? ""),
                new("probationPractitionerName", "Probation practitioner", c.ProbationPractitionerName ?? ""),
                new("probationPractitionerEmail", "Probation practitioner's email", c.ProbationPractitionerEmail ?? ""),
                new("probationPduCode", "Probation delivery unit", c.ProbationPduCode ?? ""),
            ]),
        ];
    }

    private static string YesNo(string? value) => value switch { "true" => "Yes", "false" => "No", _ => value ?? "" };

    private static string Label(IReadOnlyList<Choice> choices, string? value) => choices.FirstOrDefault(c => c.Value == value)?.Label ?? value ?? "";

    private static string Date(DateAnswer date)
    {
        var iso = ReleaseFormNotification.IsoDate(date, out var real);
        return iso is null ? "" : real ? DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB")) : $"{date.Day} {date.Month} {date.Year}";
    }
}
