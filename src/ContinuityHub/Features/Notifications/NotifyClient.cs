using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContinuityHub.Infrastructure.Delivery;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Notifications;

/// <summary>What became of one dispatch of an email. Errors are a status code and Notify's error code, never a message.</summary>
public abstract record NotifyResult
{
    /// <summary>Notify has the email: it accepted it now, or (<paramref name="AlreadyThere"/>) already had its reference.</summary>
    public sealed record Sent(Guid? NotificationId, bool AlreadyThere) : NotifyResult;
    /// <summary>Worth trying again later: 5xx, 429, a timeout, a network failure, an open circuit, or the hub's key refused (401/403).</summary>
    public sealed record Transient(string Error) : NotifyResult;
    /// <summary>Notify refused this email (another 4xx): sending it again would get the same answer.</summary>
    public sealed record Refused(string Error) : NotifyResult;
}

/// <summary>The email as Notify's API takes it.</summary>
public sealed record NotifyEmail(string Reference, Guid TemplateId, string EmailAddress, string PersonalisationJson);

/// <summary>
/// The typed HttpClient for GOV.UK Notify's email API: <c>POST /v2/notifications/email</c>, and
/// <c>GET /v2/notifications?reference=</c> to find an email an earlier attempt may have created. Notify does
/// not de-duplicate by reference itself, so "at most once" is the hub's job: every attempt that follows one that
/// may have reached Notify asks first. Each call carries a fresh JWT (<see cref="NotifyJwt"/>) and runs through
/// <see cref="NotifyPipeline"/>.
/// </summary>
public sealed partial class NotifyClient(HttpClient http, NotifyPipeline pipeline, IOptions<NotifyOptions> options, TimeProvider clock)
{
    private readonly string baseUrl = options.Value.BaseUrl.TrimEnd('/');
    private readonly NotifyApiKey? key = options.Value.ParsedApiKey;

    /// <param name="mayAlreadyBeThere">An earlier attempt may have reached Notify: look the reference up before sending.</param>
    public async Task<NotifyResult> SendAsync(NotifyEmail email, bool mayAlreadyBeThere, CancellationToken cancellationToken)
    {
        if (key is null) return new NotifyResult.Transient("notify not configured");
        var lookUpFirst = mayAlreadyBeThere;
        try
        {
            var answer = await pipeline.Pipeline.ExecuteAsync(async token =>
            {
                if (lookUpFirst)
                {
                    var found = await FindByReferenceAsync(email.Reference, token);
                    if (found.FoundByReference || found.Status != HttpStatusCode.OK) return found;
                }
                // From here on this attempt may reach Notify, so any later one looks first.
                lookUpFirst = true;
                return await PostAsync(email, token);
            }, cancellationToken);
            return Classify(answer);
        }
        catch (Exception e) when (DeliveryPipeline.TransientError(e) is { } error)
        {
            return new NotifyResult.Transient(error);
        }
    }

    private static NotifyResult Classify(NotifyAnswer answer)
    {
        var status = (int)answer.Status;
        var error = answer.ErrorCode is null ? $"HTTP {status}" : $"HTTP {status} {answer.ErrorCode}";
        if (answer.FoundByReference || status is >= 200 and < 300) return new NotifyResult.Sent(answer.NotificationId, answer.FoundByReference);
        // 401/403 (AuthError: key revoked or mistyped, clock skew) are the hub's configuration, not the email's
        // fault: failing every email would lose them all, so they wait, visibly, until the key is put right.
        if (DeliveryPipeline.IsTransient(answer.Status) || answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || status < 400)
            return new NotifyResult.Transient(error);
        return new NotifyResult.Refused(error);
    }

    private async Task<NotifyAnswer> PostAsync(NotifyEmail email, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["email_address"] = email.EmailAddress,
            ["template_id"] = email.TemplateId.ToString("D"),
            ["personalisation"] = JsonNode.Parse(email.PersonalisationJson),
            ["reference"] = email.Reference,
        };
        using var request = Request(HttpMethod.Post, "/v2/notifications/email");
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode) return await FailureAsync(response, cancellationToken);
        var created = await ReadJsonAsync(response, cancellationToken);
        return new NotifyAnswer(response.StatusCode, NotificationId: IdOf(created));
    }

    private async Task<NotifyAnswer> FindByReferenceAsync(string reference, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, $"/v2/notifications?reference={Uri.EscapeDataString(reference)}&template_type=email");
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode) return await FailureAsync(response, cancellationToken);
        var list = await ReadJsonAsync(response, cancellationToken);
        var match = (list?["notifications"] as JsonArray)?.FirstOrDefault(n => n?["reference"]?.GetValueKind() == JsonValueKind.String && (string?)n["reference"] == reference);
        return match is null
            ? new NotifyAnswer(HttpStatusCode.OK)
            : new NotifyAnswer(HttpStatusCode.OK, NotificationId: IdOf(match), FoundByReference: true);
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, baseUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", NotifyJwt.Create(key!, clock.GetUtcNow()));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("ContinuityHub", "1.0"));
        return request;
    }

    /// <summary>
    /// The status and Notify's error code (<c>errors[0].error</c>, e.g. BadRequestError). The error's message is
    /// never kept: it may quote the address or the personalisation.
    /// </summary>
    private static async Task<NotifyAnswer> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadJsonAsync(response, cancellationToken);
        var code = ((body?["errors"] as JsonArray)?.FirstOrDefault()?["error"] as JsonValue)?.TryGetValue<string>(out var text) == true
                   && ErrorCodePattern().IsMatch(text) ? text : null;
        return new NotifyAnswer(response.StatusCode, ErrorCode: code);
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Guid? IdOf(JsonNode? node) =>
        node?["id"] is JsonValue id && id.TryGetValue<string>(out var text) && Guid.TryParse(text, out var parsed) ? parsed : null;

    [GeneratedRegex("^[A-Za-z]{1,60}$")] private static partial Regex ErrorCodePattern();
}
