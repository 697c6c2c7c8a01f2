using System.Globalization;
using System.Text;
using ContinuityHub.WebUi;

namespace ContinuityHub.Features.Notifications;

/// <summary>The outbox page's HTML: a filter form, whether Notify is configured, and one table row per email.</summary>
public static class NotificationsPage
{
    public const string Title = "Outbound emails";

    private static readonly Dictionary<string, string> StateWords = new()
    {
        [QueuedEmailStates.Pending] = "Waiting to be sent",
        [QueuedEmailStates.Sent] = "Sent",
        [QueuedEmailStates.Failed] = "Failed",
        [QueuedEmailStates.Undeliverable] = "Cannot be sent",
    };

    public static string Render(IReadOnlyList<QueuedEmailView> rows, NotificationFilter filter, bool notifyConfigured)
    {
        var html = new StringBuilder($"<h1>{Title}</h1>");
        if (!notifyConfigured)
            html.Append("<div class=\"problems\" role=\"status\"><p><strong>GOV.UK Notify is not configured.</strong> " +
                        "These emails are kept here and will be sent once an API key is set (Hub:Notify:ApiKey).</p></div>");
        html.Append(Form(filter));
        if (rows.Count == 0)
            return html.Append("<p>No emails to show.</p>").ToString();

        html.Append(CultureInfo.InvariantCulture, $"<p>{rows.Count} email(s), newest first.</p>");
        html.Append("""
            <table>
              <tr><th scope="col">Queued</th><th scope="col">Episode</th><th scope="col">Message</th><th scope="col">To</th>
                  <th scope="col">State</th><th scope="col" class="n">Attempts</th><th scope="col">Last error</th><th scope="col">Sent / next attempt</th></tr>
            """);
        foreach (var row in rows)
        {
            var when = row.SentAt is { } sent ? Time(sent) : row.NextAttemptAt is { } next ? $"next {Time(next)}" : "";
            html.Append(CultureInfo.InvariantCulture, $"""
                  <tr><td>{Time(row.CreatedAt)}</td><td><code>{row.EpisodeId}</code></td>
                      <td>{HtmlPage.Encode(row.TemplateKey)}<br><span class="hint">{HtmlPage.Encode(row.Reference)}</span></td>
                      <td>{HtmlPage.Encode(row.RecipientRole)}<br><span class="hint">{HtmlPage.Encode(row.EmailAddress ?? "no address")}</span></td>
                      <td>{HtmlPage.Encode(StateWords.GetValueOrDefault(row.State, row.State))}</td><td class="n">{row.Attempts}</td>
                      <td>{HtmlPage.Encode(row.LastError ?? "")}</td><td>{when}</td></tr>
                """);
        }
        return html.Append("</table>").ToString();
    }

    public static string Problems(IEnumerable<string> details) =>
        $"<h1>{Title}</h1>" +
        $"<div class=\"problems\" role=\"alert\"><h2>There is a problem</h2><ul>{string.Concat(details.Select(d => $"<li>{HtmlPage.Encode(d)}</li>"))}</ul></div>" +
        Form(new NotificationFilter(null, null, NotificationFilter.DefaultLimit));

    private static string Form(NotificationFilter filter)
    {
        var options = string.Concat(new[] { ("", "Any") }.Concat(QueuedEmailStates.All.Select(s => (s, StateWords[s])))
            .Select(o => $"<option value=\"{o.Item1}\"{(o.Item1 == (filter.State ?? "") ? " selected" : "")}>{HtmlPage.Encode(o.Item2)}</option>"));
        return $"""
            <form method="get" action="{NotificationEndpoints.PagePath}">
              <label for="state">State</label><select id="state" name="state">{options}</select>
              <label for="episodeId">Episode id <span class="hint">(optional)</span></label>
              <input id="episodeId" name="episodeId" value="{HtmlPage.Encode(filter.EpisodeId?.ToString())}">
              <button>Show</button>
            </form>
            """;
    }

    /// <summary>Times in the UK's local time, as staff read them.</summary>
    private static string Time(DateTimeOffset instant) =>
        HtmlPage.Encode(TimeZoneInfo.ConvertTime(instant, Infrastructure.LondonTime.Zone).ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture));
}
