using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Refit;

namespace ContinuityHub.Features.Notifications;

/// <summary>
/// GOV.UK Notify's email API as Refit generates it: the two calls the hub makes. Answers come back as
/// <see cref="IApiResponse{T}"/> so that a 4xx or 5xx is a status to classify, never an exception; the bearer
/// token is a fresh Notify JWT on every call (<see cref="NotifyJwt"/>).
/// </summary>
[Headers("Accept: application/json", "User-Agent: ContinuityHub/1.0")]
public interface INotifyApi
{
    [Post("/v2/notifications/email")]
    Task<IApiResponse<NotifyNotification>> SendEmailAsync([Body] NotifyEmailRequest email, [Authorize] string token, CancellationToken cancellationToken);

    [Get("/v2/notifications")]
    Task<IApiResponse<NotifyNotificationList>> FindByReferenceAsync(string reference, [AliasAs("template_type")] string templateType,
        [Authorize] string token, CancellationToken cancellationToken);
}

/// <summary>The body of <c>POST /v2/notifications/email</c>.</summary>
public sealed record NotifyEmailRequest(
    [property: JsonPropertyName("email_address")] string EmailAddress,
    [property: JsonPropertyName("template_id")] string TemplateId,
    [property: JsonPropertyName("personalisation")] JsonNode? Personalisation,
    [property: JsonPropertyName("reference")] string Reference);

/// <summary>What the hub reads of a notification Notify holds: its id and the hub's reference.</summary>
public sealed record NotifyNotification(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("reference")] string? Reference);

public sealed record NotifyNotificationList([property: JsonPropertyName("notifications")] IReadOnlyList<NotifyNotification>? Notifications);
