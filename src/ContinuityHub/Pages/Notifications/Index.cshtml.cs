using System.Globalization;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Security;
using ContinuityHub.WebUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Pages.Notifications;

/// <summary><c>/notifications</c>: the outbox as the caller may see it (<see cref="NotificationListing"/>, as the JSON API).</summary>
[Authorize(Roles = NotificationEndpoints.Readers)]
public sealed class IndexModel(NotificationListing listing, IOptions<NotifyOptions> notify) : HubPageModel
{
    public static readonly IReadOnlyDictionary<string, string> StateWords = new Dictionary<string, string>
    {
        [QueuedEmailStates.Pending] = "Waiting to be sent",
        [QueuedEmailStates.Sent] = "Sent",
        [QueuedEmailStates.Failed] = "Failed",
        [QueuedEmailStates.Undeliverable] = "Cannot be sent",
        [QueuedEmailStates.Withheld] = "Withheld: consent withdrawn",
    };

    public override string Title => "Outbound emails";

    public IReadOnlyList<QueuedEmailView> Rows { get; private set; } = [];
    public string? State { get; private set; }
    public string? EpisodeId { get; private set; }
    public bool NotifyConfigured => notify.Value.Configured;

    public async Task<IActionResult> OnGetAsync([FromQuery] string? state, [FromQuery] string? episodeId, CancellationToken ct)
    {
        // An empty form field means "any".
        (State, EpisodeId) = (NullIfEmpty(state), NullIfEmpty(episodeId));
        var (filter, problems) = NotificationFilter.Parse(State, EpisodeId, null);
        if (filter is null)
        {
            foreach (var (parameter, detail) in problems) Errors.Add(parameter, detail);
            return PageWithErrors();
        }
        Rows = await listing.ListAsync(HubUser.From(HttpContext), filter, ct);
        return Page();
    }

    /// <summary>Times in the UK's local time, as staff read them.</summary>
    public static string Time(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, Domain.LondonTime.Zone).ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
