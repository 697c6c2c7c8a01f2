using System.Text.RegularExpressions;
using ContinuityHub.Infrastructure.Delivery;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// Settings of the emails sent through GOV.UK Notify (section "Hub:Notify"; environment variables
/// Hub__Notify__…): where Notify is, the API key, the template id of each template key, plus the polling,
/// claim, timeout, retry, backoff and breaker settings of <see cref="DeliveryOptions"/>.
/// </summary>
public sealed partial class NotifyOptions : DeliveryOptions
{
    public const string Section = "Hub:Notify";

    public NotifyOptions()
    {
        // Notify answers within a second or two; a call still open after 10 s is better tried again later.
        AttemptTimeout = TimeSpan.FromSeconds(10);
    }

    public string BaseUrl { get; set; } = "https://api.notifications.service.gov.uk";

    /// <summary>
    /// A Notify API key, <c>{key name}-{service id}-{secret}</c> (both UUIDs). None (the embedded default) means
    /// Notify is not configured: emails are queued and stay pending, visible, until a key is given.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Notify template id (a UUID) for each template key the hub queues emails under (keys without regard to case, as configuration keys are).</summary>
    public Dictionary<string, string> Templates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Requests this node makes to Notify per minute at most. Notify allows 3,000 a minute per service, shared by
    /// every node: the default leaves room for the two nodes of ops/compose.yaml; divide 3,000 by the node count.
    /// </summary>
    public int MaxRequestsPerMinute { get; set; } = 1500;

    public bool Configured => !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>The key's service id (the JWT's <c>iss</c>) and secret (its signing key); null when the key is absent or malformed.</summary>
    public NotifyApiKey? ParsedApiKey => NotifyApiKey.TryParse(ApiKey);

    /// <summary>The template id configured for <paramref name="templateKey"/>, if any.</summary>
    public Guid? TemplateId(string templateKey) =>
        Templates.FirstOrDefault(t => string.Equals(t.Key, templateKey, StringComparison.OrdinalIgnoreCase)).Value is { } id && Guid.TryParse(id, out var parsed) ? parsed : null;

    /// <summary>Problems with the values, each naming the setting (checked at start-up). The key itself is never echoed.</summary>
    public IEnumerable<string> Problems()
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var url) || (url.Scheme != "https" && url.Scheme != "http"))
            yield return $"{Section}:BaseUrl must be an absolute http(s) URL.";
        if (Configured && ParsedApiKey is null)
            yield return $"{Section}:ApiKey must be a Notify API key: '{{key name}}-{{service id}}-{{secret}}', the last two being UUIDs.";
        foreach (var (key, id) in Templates)
        {
            if (!TemplateKeyPattern().IsMatch(key))
                yield return $"{Section}:Templates has a template key that is not 1 to 64 letters, digits, '-', '_' or '.'.";
            else if (!Guid.TryParse(id, out _))
                yield return $"{Section}:Templates:{key} must be a Notify template id (a UUID).";
        }
        if (MaxRequestsPerMinute is < 1 or > 3000) yield return $"{Section}:MaxRequestsPerMinute must be 1 to 3000 (Notify's limit per service).";
        // A claimed batch waits for its permits while holding its claim: that wait must stay well inside the lease.
        else if (TimeSpan.FromMinutes(2.0 * BatchSize / MaxRequestsPerMinute) > Lease / 4)
            yield return $"{Section}:MaxRequestsPerMinute is too low for BatchSize: a batch's calls must fit in a quarter of Lease.";
        foreach (var problem in DeliveryProblems(Section)) yield return problem;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")] private static partial Regex TemplateKeyPattern();
}

/// <summary>The two parts of a Notify API key the JWT needs. Not a record: its text must never reach a log by accident.</summary>
public sealed class NotifyApiKey
{
    private const int UuidLength = 36;

    private NotifyApiKey(string serviceId, string secret)
    {
        ServiceId = serviceId;
        Secret = secret;
    }

    /// <summary>The JWT's <c>iss</c>.</summary>
    public string ServiceId { get; }

    /// <summary>The HS256 signing key (its UTF-8 bytes), as Notify's own clients use it.</summary>
    public string Secret { get; }

    /// <summary>Service id and secret are the last two UUIDs; the key name before them may itself contain hyphens.</summary>
    public static NotifyApiKey? TryParse(string? apiKey)
    {
        var key = apiKey?.Trim();
        if (key is null || key.Length < 2 * UuidLength + 1) return null;
        var secret = key[^UuidLength..];
        var serviceId = key[^(2 * UuidLength + 1)..^(UuidLength + 1)];
        if (key[^(UuidLength + 1)] != '-') return null;
        if (!Guid.TryParseExact(secret, "D", out _) || !Guid.TryParseExact(serviceId, "D", out _)) return null;
        return new NotifyApiKey(serviceId, secret);
    }

    public override string ToString() => $"Notify API key for service {ServiceId}";
}
