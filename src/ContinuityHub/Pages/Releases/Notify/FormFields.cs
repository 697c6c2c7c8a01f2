using ContinuityHub.Features.Releases.Form;
using ContinuityHub.WebUi;

namespace ContinuityHub.Pages.Releases.Notify;

/// <summary>A GOV.UK text input (partial _TextField): its id is also the key of its problem in <see cref="FormErrors"/>.</summary>
public sealed record TextField(FormErrors Errors, string Id, string Name, string Label, string? Value, string? Hint = null,
    string Width = "govuk-input--width-20", string? Autocomplete = null, string? InputMode = null, string Type = "text", string? Suffix = null);

/// <summary>A GOV.UK date input (partial _DateField): three boxes named Name.Day, Name.Month, Name.Year; its problem is keyed by "{Id}-day".</summary>
public sealed record DateField(FormErrors Errors, string Id, string Name, string Legend, DateAnswer Value, string? Hint = null);

/// <summary>One choice of a radios or checkboxes group.</summary>
public sealed record Choice(string Value, string Label, string? Hint = null);

/// <summary>GOV.UK radios (partial _Radios) without conditional content: the first radio's id is the group's id.</summary>
public sealed record RadiosField(FormErrors Errors, string Id, string Name, string Legend, string? Value, IReadOnlyList<Choice> Choices,
    string? Hint = null, bool Inline = false)
{
    public static readonly IReadOnlyList<Choice> YesNo = [new("true", "Yes"), new("false", "No")];

    /// <summary>GOV.UK's convention: the first radio has the group's id, the others "{id}-2", "{id}-3"…</summary>
    public static string ItemId(string id, int index) => index == 0 ? id : $"{id}-{index + 1}";
}
