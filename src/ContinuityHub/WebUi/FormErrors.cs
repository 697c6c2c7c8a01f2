namespace ContinuityHub.WebUi;

/// <summary>
/// A form's problems in the order the fields appear, each tied to the id of the field it is about: the page
/// shows them in the GOV.UK error summary (linking to the field) and again beside the field.
/// </summary>
public sealed class FormErrors
{
    private readonly List<(string Field, string Message)> problems = [];
    private readonly Dictionary<string, string> targets = [];

    public IReadOnlyList<(string Field, string Message)> All => problems;
    public bool Any => problems.Count > 0;

    /// <summary>A problem with <paramref name="field"/>; <paramref name="target"/> is the id the summary links to when not the field's own (a date input's day).</summary>
    public void Add(string field, string message, string? target = null)
    {
        problems.Add((field, message));
        if (target is not null) targets[field] = target;
    }

    /// <summary>The id of the element the error summary's link for <paramref name="field"/> goes to.</summary>
    public string Target(string field) => targets.GetValueOrDefault(field, field);

    /// <summary>The first message about <paramref name="field"/>, or null.</summary>
    public string? For(string field) => problems.FirstOrDefault(p => p.Field == field).Message;
}

/// <summary>The GOV.UK markup of a field's problem, for Razor: <c>@Html.FieldError(Model.Errors, "date")</c>.</summary>
public static class FormErrorsHtml
{
    /// <summary>The field's message (under its label and hint), or nothing.</summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent FieldError(this Microsoft.AspNetCore.Mvc.Rendering.IHtmlHelper html, FormErrors errors, string field)
    {
        if (errors.For(field) is not { } message) return Microsoft.AspNetCore.Html.HtmlString.Empty;
        var encoder = System.Text.Encodings.Web.HtmlEncoder.Default;
        return new Microsoft.AspNetCore.Html.HtmlString(
            $"<p id=\"{encoder.Encode(field)}-error\" class=\"govuk-error-message\"><span class=\"govuk-visually-hidden\">Error:</span> {encoder.Encode(message)}</p>");
    }

    /// <summary>"govuk-form-group govuk-form-group--error" when the field has a problem.</summary>
    public static string FormGroupClass(this FormErrors errors, string field) =>
        errors.For(field) is null ? "govuk-form-group" : "govuk-form-group govuk-form-group--error";

    /// <summary>The input's extra class when it has a problem (e.g. "govuk-input--error").</summary>
    public static string ErrorClass(this FormErrors errors, string field, string errorClass) => errors.For(field) is null ? "" : " " + errorClass;

    /// <summary>aria-describedby for a field: its hint and, when it has a problem, its message.</summary>
    public static string? DescribedBy(this FormErrors errors, string field, string? hintId = null)
    {
        var ids = new[] { hintId, errors.For(field) is null ? null : field + "-error" }.Where(id => id is not null);
        var joined = string.Join(' ', ids);
        return joined.Length == 0 ? null : joined;
    }
}
