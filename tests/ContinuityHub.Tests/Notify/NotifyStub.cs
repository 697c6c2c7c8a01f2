using ContinuityHub.Tests.Infrastructure;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ContinuityHub.Tests.Notify;

/// <summary>
/// GOV.UK Notify's email API on real HTTP (Kestrel on 127.0.0.1, a free port), as far as the hub uses it:
/// <c>POST /v2/notifications/email</c> and <c>GET /v2/notifications?reference=</c>. It checks every bearer
/// token as Notify does (HS256 signature with the service's secret, checked by Microsoft's JWT library, header
/// typ/alg, <c>iss</c> = the service id, <c>iat</c> within 30 s of the hub's clock), checks the body, records
/// everything, and answers as the test tells it: accept, fail with a status, hang, or accept and then hang.
/// Like Notify, it does not de-duplicate by reference.
/// </summary>
public sealed class NotifyStub : IAsyncDisposable
{
    public enum Mode { Accept, Fail, Hang, AcceptThenHang }

    public sealed record Post(JsonObject Body, JsonObject Claims, JsonObject Header, int AnsweredStatus)
    {
        /// <summary>When the request arrived (real time).</summary>
        public DateTime ArrivedAt { get; init; } = DateTime.UtcNow;

        public string? Reference => (string?)Body["reference"];
    }

    public sealed record Stored(Guid Id, string Reference, string EmailAddress, string TemplateId, JsonObject Personalisation);

    public const string ServiceId = "26785a09-ab16-4eb0-8407-a37497a57506";
    public const string Secret = "3d844edf-8d35-48ac-975b-e847b4f122b0";
    /// <summary>The key name has hyphens of its own: the hub must take the service id and secret from the end.</summary>
    public const string ApiKey = $"hub-test-key-{ServiceId}-{Secret}";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Post> posts = new();
    private readonly ConcurrentQueue<string> lookups = new();
    private readonly ConcurrentQueue<string> rejectedTokens = new();
    private readonly ConcurrentDictionary<Guid, Stored> stored = new();
    private readonly CancellationTokenSource stopping = new();
    private int hanging;

    public Mode Behaviour { get; set; } = Mode.Accept;
    public int FailureStatus { get; set; } = 500;
    public string FailureError { get; set; } = "Exception";
    public string FailureMessage { get; set; } = "Internal server error";
    public string BaseUrl { get; }

    /// <summary>Every POST so far, answered or not (a hung one is recorded with status 0 when it ends).</summary>
    public IReadOnlyList<Post> Posts => posts.ToArray();
    /// <summary>The references looked up with GET /v2/notifications.</summary>
    public IReadOnlyList<string> Lookups => lookups.ToArray();
    /// <summary>Why tokens were refused (should stay empty).</summary>
    public IReadOnlyList<string> RejectedTokens => rejectedTokens.ToArray();
    /// <summary>The notifications Notify holds (and would send), each once per POST it accepted.</summary>
    public IReadOnlyList<Stored> Notifications => stored.Values.ToArray();
    public int Hanging => Volatile.Read(ref hanging);

    private NotifyStub(WebApplication app, string baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The hub's clock (tests move it), against which <c>iat</c> is checked.</summary>
    public Func<DateTimeOffset> HubNow { get; set; } = () => ContinuityHub.Tests.Infrastructure.HubFactory.DefaultNow;

    public static async Task<NotifyStub> StartAsync()
    {
        NotifyStub? stub = null;
        var (app, address) = await LocalHttpServer.StartAsync(app =>
        {
            app.MapPost("/v2/notifications/email", async (HttpContext context) =>
            {
                var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
                return await stub!.PostAsync(context, body);
            });
            app.MapGet("/v2/notifications", (Delegate)((HttpContext context) => stub!.LookUpAsync(context)));
        });
        stub = new NotifyStub(app, address);
        return stub;
    }

    /// <summary>Notify already holds a notification with this reference (an earlier send got through).</summary>
    public Guid Preload(string reference)
    {
        var id = Guid.NewGuid();
        stored[id] = new Stored(id, reference, "someone@example.nhs.uk", Guid.Empty.ToString(), []);
        return id;
    }

    private async Task<IResult> PostAsync(HttpContext context, string text)
    {
        var arrived = DateTime.UtcNow;
        if (await CheckTokenAsync(context) is not { } token) return Error(403, "AuthError", "Invalid token");
        var body = JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException("body is not a JSON object");
        var bodyProblems = BodyProblems(body);
        if (bodyProblems is not null) throw new InvalidOperationException("Notify stub: bad body: " + bodyProblems);

        switch (Behaviour)
        {
            case Mode.Fail:
                posts.Enqueue(new Post(body, token.Claims, token.Header, FailureStatus) { ArrivedAt = arrived });
                return Error(FailureStatus, FailureError, FailureMessage);
            case Mode.Hang:
                await HangAsync(context.RequestAborted);
                posts.Enqueue(new Post(body, token.Claims, token.Header, 0) { ArrivedAt = arrived });
                return Results.StatusCode(503);
            case Mode.AcceptThenHang:
                Store(body);
                await HangAsync(context.RequestAborted);
                posts.Enqueue(new Post(body, token.Claims, token.Header, 0) { ArrivedAt = arrived });
                return Results.StatusCode(503);
            default:
                var id = Store(body);
                posts.Enqueue(new Post(body, token.Claims, token.Header, 201) { ArrivedAt = arrived });
                return Results.Json(new JsonObject
                {
                    ["id"] = id.ToString(),
                    ["reference"] = (string?)body["reference"],
                    ["content"] = new JsonObject { ["subject"] = "subject", ["body"] = "body", ["from_email"] = "hub@notifications.service.gov.uk" },
                    ["uri"] = $"{BaseUrl}/v2/notifications/{id}",
                    ["template"] = new JsonObject { ["id"] = (string?)body["template_id"], ["version"] = 1, ["uri"] = $"{BaseUrl}/v2/template/{body["template_id"]}" },
                }, statusCode: 201);
        }
    }

    private async Task<IResult> LookUpAsync(HttpContext context)
    {
        if (await CheckTokenAsync(context) is null) return Error(403, "AuthError", "Invalid token");
        var reference = context.Request.Query["reference"].ToString();
        lookups.Enqueue(reference);
        switch (Behaviour)
        {
            case Mode.Fail:
                return Error(FailureStatus, FailureError, FailureMessage);
            case Mode.Hang:
                await HangAsync(context.RequestAborted);
                return Results.StatusCode(503);
        }
        var found = stored.Values.Where(s => s.Reference == reference)
            .Select(s => (JsonNode)new JsonObject { ["id"] = s.Id.ToString(), ["reference"] = s.Reference, ["type"] = "email", ["status"] = "delivered" });
        return Results.Json(new JsonObject
        {
            ["notifications"] = new JsonArray(found.ToArray()),
            ["links"] = new JsonObject { ["current"] = $"{BaseUrl}/v2/notifications?reference={reference}" },
        });
    }

    private Guid Store(JsonObject body)
    {
        var id = Guid.NewGuid();
        stored[id] = new Stored(id, (string)body["reference"]!, (string)body["email_address"]!, (string)body["template_id"]!, body["personalisation"]!.AsObject().DeepClone().AsObject());
        return id;
    }

    private async Task HangAsync(CancellationToken aborted)
    {
        Interlocked.Increment(ref hanging);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping.Token);
            await Task.Delay(Timeout.Infinite, linked.Token);
        }
        catch (OperationCanceledException)
        {
        }
        Interlocked.Decrement(ref hanging);
    }

    private static string? BodyProblems(JsonObject body)
    {
        var names = body.Select(p => p.Key).Order().ToArray();
        if (!names.SequenceEqual(["email_address", "personalisation", "reference", "template_id"])) return "fields " + string.Join(",", names);
        if (body["email_address"]?.GetValueKind() != JsonValueKind.String) return "email_address";
        if (!Guid.TryParse((string?)body["template_id"], out _)) return "template_id";
        if (body["personalisation"] is not JsonObject personalisation || personalisation.Any(p => p.Value?.GetValueKind() != JsonValueKind.String)) return "personalisation";
        if (string.IsNullOrEmpty((string?)body["reference"])) return "reference";
        return null;
    }

    private sealed record Token(JsonObject Header, JsonObject Claims);

    /// <summary>The token's header and claims when it is one Notify would accept; otherwise null, and why is recorded.</summary>
    private async Task<Token?> CheckTokenAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)) return Reject("no bearer token");
        var jwt = authorization["Bearer ".Length..];
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidIssuer = ServiceId,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });
        if (!validation.IsValid) return Reject($"invalid: {validation.Exception?.GetType().Name}");
        var parts = jwt.Split('.');
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject();
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        if ((string?)header["typ"] != "JWT" || (string?)header["alg"] != "HS256" || header.Count != 2) return Reject("header " + header.ToJsonString());
        if (claims["iat"]?.GetValueKind() != JsonValueKind.Number) return Reject("no iat");
        var skew = Math.Abs((long)claims["iat"]! - HubNow().ToUnixTimeSeconds());
        if (skew > 30) return Reject($"iat {skew} s from now");
        return new Token(header, claims);
    }

    private Token? Reject(string why)
    {
        rejectedTokens.Enqueue(why);
        return null;
    }

    private static IResult Error(int status, string error, string message) =>
        Results.Json(new JsonObject
        {
            ["status_code"] = status,
            ["errors"] = new JsonArray(new JsonObject { ["error"] = error, ["message"] = message }),
        }, statusCode: status);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }
}
