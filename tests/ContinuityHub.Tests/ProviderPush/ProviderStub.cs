using ContinuityHub.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.ProviderPush;

/// <summary>
/// A community provider's FHIR endpoint on real HTTP (Kestrel on 127.0.0.1, a free port) that records every
/// request it receives and answers as the test tells it: 200, an error status, or not at all (hangs).
/// </summary>
public sealed class ProviderStub : IAsyncDisposable
{
    public enum Mode { Accept, Fail, Hang, Redirect }

    /// <summary>One request as it came over the wire: its target exactly as sent, the headers the hub sets, the body.</summary>
    public sealed record Received(string? ContentType, string Body, int AnsweredStatus, string Method = "", string RawTarget = "",
        string? Accept = null, string? CorrelationId = null)
    {
        public JsonObject Bundle => JsonNode.Parse(Body)!.AsObject();
        public string? BundleId => (string?)Bundle["id"];
    }

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Received> received = new();
    private readonly ConcurrentQueue<string> redirectedTo = new();
    private readonly CancellationTokenSource stopping = new();

    private int hanging;

    public Mode Behaviour { get; set; } = Mode.Accept;

    /// <summary>Requests being held open right now (Mode.Hang).</summary>
    public int Hanging => Volatile.Read(ref hanging);
    public int FailureStatus { get; set; } = 500;
    /// <summary>Mode.Redirect: 302 (a client following it would re-send as GET) or 307 (re-send the POST, body and all).</summary>
    public int RedirectStatus { get; set; } = 302;
    /// <summary>Requests that arrived at the address Mode.Redirect points to (a client that followed the redirect).</summary>
    public IReadOnlyList<string> RedirectedTo => redirectedTo.ToArray();
    public string Endpoint { get; }

    /// <summary>Every request so far, answered or not (a hung one is recorded with status 0 when it ends).</summary>
    public IReadOnlyList<Received> Requests => received.ToArray();

    /// <summary>The messages the provider accepted (answered 2xx).</summary>
    public IReadOnlyList<Received> Delivered => received.Where(r => r.AnsweredStatus is >= 200 and < 300).ToArray();

    private ProviderStub(WebApplication app, string endpoint)
    {
        this.app = app;
        Endpoint = endpoint;
    }

    public static async Task<ProviderStub> StartAsync()
    {
        ProviderStub? stub = null;
        var (app, address) = await LocalHttpServer.StartAsync(app =>
        {
            app.MapPost("/fhir/$process-message", async (HttpContext context) =>
            {
                var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
                var request = context.Request;
                var received = new Received(request.ContentType, body, 0, request.Method,
                    context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget,
                    request.Headers.Accept.ToString(), request.Headers["X-Correlation-Id"].ToString());
                return await stub!.AnswerAsync(received, context.RequestAborted);
            });
            app.MapMethods("/elsewhere", ["GET", "POST"], (HttpContext context) =>
            {
                stub!.redirectedTo.Enqueue(context.Request.Method);
                return Results.Ok();
            });
        });
        stub = new ProviderStub(app, $"{address}/fhir/$process-message");
        return stub;
    }

    private async Task<IResult> AnswerAsync(Received request, CancellationToken aborted)
    {
        switch (Behaviour)
        {
            case Mode.Fail:
                received.Enqueue(request with { AnsweredStatus = FailureStatus });
                return Results.StatusCode(FailureStatus);
            case Mode.Hang:
                Interlocked.Increment(ref hanging);
                try
                {
                    await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping.Token).Token);
                }
                catch (OperationCanceledException)
                {
                }
                Interlocked.Decrement(ref hanging);
                received.Enqueue(request with { AnsweredStatus = 0 });
                return Results.StatusCode(503);
            case Mode.Redirect:
                received.Enqueue(request with { AnsweredStatus = RedirectStatus });
                return Results.Redirect("/elsewhere", permanent: false, preserveMethod: RedirectStatus == 307);
            default:
                received.Enqueue(request with { AnsweredStatus = 200 });
                return Results.Json(new JsonObject { ["resourceType"] = "OperationOutcome", ["issue"] = new JsonArray() }, statusCode: 200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }
}
