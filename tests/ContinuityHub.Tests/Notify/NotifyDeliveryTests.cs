using ContinuityHub.Features.Notifications;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.ProviderPush;
using Microsoft.EntityFrameworkCore;
using static ContinuityHub.Tests.Notify.NotificationOutboxTests;

namespace ContinuityHub.Tests.Notify;

/// <summary>
/// Contract §6 / issue #4 item 4: queued emails reach GOV.UK Notify (a real HTTP server here that checks the
/// JWT and the body as Notify does) once per reference — through Notify outages, timeouts, two nodes, and a
/// node that died after Notify took the email.
/// </summary>
public sealed class NotifyDeliveryTests : IAsyncLifetime
{
    private NotifyStub notify = null!;

    public async Task InitializeAsync() => notify = await NotifyStub.StartAsync();

    public async Task DisposeAsync() => await notify.DisposeAsync();

    internal static async Task<QueuedEmail?> RowAsync(string connectionString, string reference)
    {
        await using var db = new ContinuityHub.Data.HubDbContext(new DbContextOptionsBuilder<ContinuityHub.Data.HubDbContext>().UseNpgsql(connectionString).Options);
        return await db.Set<QueuedEmail>().AsNoTracking().SingleOrDefaultAsync(e => e.Reference == reference);
    }

    internal static Task<QueuedEmail?> WaitForAsync(HubFactory hub, string reference, Func<QueuedEmail, bool> done, string what) =>
        Eventually.WaitForAsync(() => RowAsync(hub.ConnectionString, reference), row => row is not null && done(row), what);

    private static Task<QueuedEmail?> SentAsync(HubFactory hub, string reference) =>
        WaitForAsync(hub, reference, r => r.State == QueuedEmailStates.Sent, $"{reference} recorded as sent");

    [Fact]
    public async Task A_queued_email_reaches_Notify_once_with_its_template_personalisation_reference_and_a_valid_JWT()
    {
        await using var hub = new NotifyHub(notify);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var reference = $"{episodeId}:release-plus-7:probation";
        await EnqueueAsync(hub, Email(episodeId, reference, address: "jo.smith@example.justice.gov.uk"));

        var row = (await SentAsync(hub, reference))!;

        var post = Assert.Single(notify.Posts);
        Assert.Equal(201, post.AnsweredStatus);
        Assert.Equal("jo.smith@example.justice.gov.uk", (string?)post.Body["email_address"]);
        Assert.Equal(NotifyHub.ReminderTemplateId, (string?)post.Body["template_id"]);
        Assert.Equal(reference, post.Reference);
        Assert.Equal(episodeId.ToString(), (string?)post.Body["personalisation"]!["episode"]);
        Assert.Equal("7", (string?)post.Body["personalisation"]!["days_left"]);
        // The token: verified by the stub with Microsoft's JWT library; here its exact header and claims.
        Assert.Empty(notify.RejectedTokens);
        Assert.Equal("""{"typ":"JWT","alg":"HS256"}""", post.Header.ToJsonString());
        Assert.Equal(NotifyStub.ServiceId, (string?)post.Claims["iss"]);
        Assert.Equal(hub.Clock.GetUtcNow().ToUnixTimeSeconds(), (long)post.Claims["iat"]!);
        Assert.Equal(2, post.Claims.Count);

        var stored = Assert.Single(notify.Notifications);
        Assert.Equal((1, stored.Id, hub.Clock.GetUtcNow(), (string?)null, (DateTimeOffset?)null),
            (row.Attempts, row.NotifyNotificationId, row.SentAt, row.LastError, row.InFlightSince));
        Assert.Empty(notify.Lookups); // a first attempt has nothing to look up
    }

    [Fact]
    public async Task The_same_reference_enqueued_again_before_and_after_sending_is_one_row_and_one_email()
    {
        await using var hub = new NotifyHub(notify);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var reference = $"{episodeId}:release-plus-2:provider";

        await EnqueueAsync(hub, Email(episodeId, reference), Email(episodeId, reference));
        await EnqueueAsync(hub, Email(episodeId, reference));
        await SentAsync(hub, reference);
        await EnqueueAsync(hub, Email(episodeId, reference));
        await Task.Delay(300); // several poll intervals: time for a second send, if there were one

        Assert.Single(await RowsAsync(hub, episodeId));
        Assert.Single(notify.Posts);
        Assert.Single(notify.Notifications);
    }

    [Fact]
    public async Task Notify_answering_500_then_timing_out_gets_each_email_once_after_it_recovers_and_the_waits_are_in_the_database()
    {
        await using var hub = new NotifyHub(notify);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        notify.Behaviour = NotifyStub.Mode.Fail;
        var references = Enumerable.Range(1, 3).Select(i => $"{episodeId}:outage:{i}").ToArray();
        await EnqueueAsync(hub, references.Select(r => Email(episodeId, r)).ToArray());

        // 500s: each dispatch is a try and one immediate retry (which looks the reference up first, and gets
        // another 500), then the row waits for its time, in the database.
        foreach (var reference in references)
        {
            var failed = (await WaitForAsync(hub, reference, r => r.Attempts >= 1 && r.ClaimToken == null, "a failed dispatch"))!;
            Assert.Equal((QueuedEmailStates.Pending, "HTTP 500 Exception"), (failed.State, failed.LastError));
            Assert.True(failed.NextAttemptAt > hub.Clock.GetUtcNow(), "the next attempt waits");
        }
        Assert.Equal((3, 3), (notify.Posts.Count, notify.Lookups.Count));
        Assert.Empty(notify.Notifications);

        // Then Notify hangs: a timeout is not retried at once (Notify may still be creating the email).
        notify.Behaviour = NotifyStub.Mode.Hang;
        hub.Clock.Advance(TimeSpan.FromHours(1));
        foreach (var reference in references)
        {
            var timedOut = (await WaitForAsync(hub, reference, r => r.Attempts >= 2 && r.ClaimToken == null, "a timed-out dispatch"))!;
            Assert.Equal((QueuedEmailStates.Pending, "timeout"), (timedOut.State, timedOut.LastError));
            Assert.NotNull(timedOut.InFlightSince);
        }

        notify.Behaviour = NotifyStub.Mode.Accept;
        hub.Clock.Advance(TimeSpan.FromHours(1));
        foreach (var reference in references) Assert.Equal(3, (await SentAsync(hub, reference))!.Attempts);

        Assert.Equal(references.Order().ToArray(), notify.Notifications.Select(n => n.Reference).Order().ToArray());
        // Every attempt after one that may have reached Notify looked the reference up first.
        Assert.Equal(references.Order().ToArray(), notify.Lookups.Distinct().Order().ToArray());
        Assert.Empty(notify.RejectedTokens);
    }

    [Fact]
    public async Task An_email_Notify_took_before_the_hub_timed_out_is_found_by_reference_and_not_sent_again()
    {
        await using var hub = new NotifyHub(notify);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var reference = $"{episodeId}:slow";
        notify.Behaviour = NotifyStub.Mode.AcceptThenHang;
        await EnqueueAsync(hub, Email(episodeId, reference));

        await WaitForAsync(hub, reference, r => r.Attempts >= 1 && r.ClaimToken == null, "the timed-out dispatch");
        var taken = Assert.Single(notify.Notifications);

        notify.Behaviour = NotifyStub.Mode.Accept;
        hub.Clock.Advance(TimeSpan.FromHours(1));
        var row = (await SentAsync(hub, reference))!;

        Assert.Equal(taken.Id, row.NotifyNotificationId);
        Assert.Single(notify.Notifications);
        Assert.Single(notify.Posts);
        Assert.Equal([reference], notify.Lookups.ToArray());
    }

    [Fact]
    public async Task A_claim_that_lapsed_with_a_send_in_flight_is_looked_up_first_so_an_email_Notify_has_is_not_sent_again()
    {
        string connectionString;
        string alreadyAtNotify, neverArrived;
        await using (var dead = new NotifyHub(notify, dispatch: false))
        {
            connectionString = dead.ConnectionString;
            var (_, episodeId) = await dead.SubmitReleaseAsync(Notifications.Example());
            alreadyAtNotify = $"{episodeId}:crash:arrived";
            neverArrived = $"{episodeId}:crash:lost";
            await EnqueueAsync(dead, Email(episodeId, alreadyAtNotify), Email(episodeId, neverArrived));
            // As a node leaves them when it dies mid-send: claimed (lease now lapsed), marked in flight.
            await using var db = dead.Db();
            var now = dead.Clock.GetUtcNow();
            await db.Set<QueuedEmail>().ExecuteUpdateAsync(s => s
                .SetProperty(e => e.ClaimToken, Guid.NewGuid())
                .SetProperty(e => e.ClaimedUntil, now - TimeSpan.FromSeconds(1))
                .SetProperty(e => e.InFlightSince, now - TimeSpan.FromMinutes(5)));
        }
        var notifyId = notify.Preload(alreadyAtNotify);

        await using var next = new NotifyHub(notify, connectionString);
        _ = next.Server;
        var found = (await SentAsync(next, alreadyAtNotify))!;
        var sent = (await SentAsync(next, neverArrived))!;

        Assert.Equal(notifyId, found.NotifyNotificationId);
        Assert.Equal(neverArrived, Assert.Single(notify.Posts).Reference);
        Assert.Equal(sent.NotifyNotificationId, notify.Notifications.Single(n => n.Reference == neverArrived).Id);
        Assert.Equal([alreadyAtNotify, neverArrived], notify.Lookups.Order().ToArray());
        Assert.Equal(2, notify.Notifications.Count);
    }

    [Fact]
    public async Task A_node_stopped_while_Notify_was_taking_the_email_gives_it_back_and_the_next_node_finds_it_instead_of_sending_again()
    {
        string connectionString;
        string reference;
        await using (var first = new NotifyHub(notify))
        {
            connectionString = first.ConnectionString;
            var (_, episodeId) = await first.SubmitReleaseAsync(Notifications.Example());
            reference = $"{episodeId}:stopped-mid-send";
            notify.Behaviour = NotifyStub.Mode.AcceptThenHang;
            await EnqueueAsync(first, Email(episodeId, reference));
            await Eventually.WaitForAsync(() => notify.Hanging, n => n >= 1, "the first node's send to be under way");
        }
        var afterStop = (await RowAsync(connectionString, reference))!;
        Assert.Equal((QueuedEmailStates.Pending, (Guid?)null), (afterStop.State, afterStop.ClaimToken));
        Assert.NotNull(afterStop.InFlightSince);

        notify.Behaviour = NotifyStub.Mode.Accept;
        await using var second = new NotifyHub(notify, connectionString);
        _ = second.Server;
        var row = (await SentAsync(second, reference))!;

        Assert.Equal(Assert.Single(notify.Notifications).Id, row.NotifyNotificationId);
        Assert.Single(notify.Posts);
        Assert.Equal([reference], notify.Lookups.ToArray());
    }

    [Fact]
    public async Task Two_hubs_on_one_database_send_each_reference_exactly_once()
    {
        await using var nodeA = new NotifyHub(notify);
        await using var nodeB = new NotifyHub(notify, nodeA.ConnectionString);
        _ = nodeB.Server;
        var (_, episodeId) = await nodeA.SubmitReleaseAsync(Notifications.Example());
        var references = Enumerable.Range(1, 40).Select(i => $"{episodeId}:two-nodes:{i:D2}").ToArray();
        // Queued through both nodes, half each, some twice.
        foreach (var (chunk, i) in references.Chunk(5).Select((c, i) => (c, i)))
            await EnqueueAsync(i % 2 == 0 ? nodeA : nodeB, chunk.Concat(chunk.Take(1)).Select(r => Email(episodeId, r)).ToArray());

        foreach (var reference in references) await SentAsync(nodeA, reference);

        Assert.Equal(references, notify.Posts.Select(p => p.Reference!).Order().ToArray());
        Assert.Equal(references, notify.Notifications.Select(n => n.Reference).Order().ToArray());
    }

    [Fact]
    public async Task The_circuit_opens_while_Notify_fails_so_later_emails_wait_without_calling_it_and_all_go_once_it_recovers()
    {
        await using var hub = new NotifyHub(notify, settings: new Dictionary<string, string>
        {
            ["Hub:Notify:BatchSize"] = "1",
            ["Hub:Notify:RetriesPerDispatch"] = "0",
            ["Hub:Notify:BreakerMinimumThroughput"] = "2",
            ["Hub:Notify:BreakerBreakDuration"] = "00:00:01",
        });
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        notify.Behaviour = NotifyStub.Mode.Fail;
        notify.FailureStatus = 503;
        var references = Enumerable.Range(1, 4).Select(i => $"{episodeId}:breaker:{i}").ToArray();
        await EnqueueAsync(hub, references.Select(r => Email(episodeId, r)).ToArray());

        var rows = new List<QueuedEmail>();
        foreach (var reference in references)
            rows.Add((await WaitForAsync(hub, reference, r => r.Attempts >= 1 && r.ClaimToken == null, "a failed dispatch"))!);

        // Two calls failed, the circuit opened, and the other two never reached Notify.
        Assert.Equal(2, notify.Posts.Count);
        Assert.Equal(2, rows.Count(r => r.LastError == "circuit open"));
        Assert.All(rows, r => Assert.Equal(QueuedEmailStates.Pending, r.State));

        notify.Behaviour = NotifyStub.Mode.Accept;
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the break (real time)
        hub.Clock.Advance(TimeSpan.FromHours(1));
        foreach (var reference in references) await SentAsync(hub, reference);
        Assert.Equal(references, notify.Notifications.Select(n => n.Reference).Order().ToArray());
    }

    [Fact]
    public async Task Calls_to_Notify_keep_to_the_configured_rate()
    {
        await using var hub = new NotifyHub(notify, settings: new Dictionary<string, string> { ["Hub:Notify:MaxRequestsPerMinute"] = "60", ["Hub:Notify:BatchSize"] = "3" });
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var references = Enumerable.Range(1, 3).Select(i => $"{episodeId}:rate:{i}").ToArray();
        await EnqueueAsync(hub, references.Select(r => Email(episodeId, r)).ToArray());

        foreach (var reference in references) await SentAsync(hub, reference);

        // One a second: the three were claimed together, but the third left at least a second after the first.
        var arrivals = notify.Posts.Select(p => p.ArrivedAt).Order().ToArray();
        Assert.Equal(3, arrivals.Length);
        Assert.True(arrivals[2] - arrivals[0] >= TimeSpan.FromSeconds(0.9), $"three calls within {(arrivals[2] - arrivals[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_400_from_Notify_fails_the_email_with_the_error_code_only_and_nothing_personal_is_logged()
    {
        await using var hub = new NotifyHub(notify);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var reference = $"{episodeId}:refused";
        notify.Behaviour = NotifyStub.Mode.Fail;
        notify.FailureStatus = 400;
        notify.FailureError = "BadRequestError";
        notify.FailureMessage = "Can't send to this recipient using a team-only API key: jo.smith@example.justice.gov.uk";
        await EnqueueAsync(hub, Email(episodeId, reference, address: "jo.smith@example.justice.gov.uk"));

        var row = (await WaitForAsync(hub, reference, r => r.State != QueuedEmailStates.Pending, "the refusal recorded"))!;

        Assert.Equal((QueuedEmailStates.Failed, "HTTP 400 BadRequestError", 1, (DateTimeOffset?)null), (row.State, row.LastError, row.Attempts, row.InFlightSince));
        Assert.Single(notify.Posts); // not retried
        var log = hub.Log.All;
        Assert.Contains(reference.Split(':')[0], log);
        Assert.Contains("BadRequestError", log);
        foreach (var personal in new[] { "jo.smith", "team-only API key", "Sam", "Example", "9434765919", "1985-03-14" })
            Assert.DoesNotContain(personal, log);
    }

    [Fact]
    public async Task A_403_AuthError_is_the_hubs_key_not_the_email_so_the_email_waits_visibly_and_goes_once_the_key_is_accepted()
    {
        await using var hub = new NotifyHub(notify);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var reference = $"{episodeId}:auth";
        notify.Behaviour = NotifyStub.Mode.Fail;
        notify.FailureStatus = 403;
        notify.FailureError = "AuthError";
        notify.FailureMessage = "Invalid token: API key not found";
        await EnqueueAsync(hub, Email(episodeId, reference));

        var waiting = (await WaitForAsync(hub, reference, r => r.Attempts >= 1 && r.ClaimToken == null, "the refused attempt"))!;
        Assert.Equal((QueuedEmailStates.Pending, "HTTP 403 AuthError"), (waiting.State, waiting.LastError));
        Assert.Single(notify.Posts); // a 403 is not retried at once

        notify.Behaviour = NotifyStub.Mode.Accept;
        hub.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, (await SentAsync(hub, reference))!.Attempts);
        Assert.Single(notify.Notifications);
    }

    [Fact]
    public async Task An_email_that_fails_every_attempt_is_given_up_as_failed_with_the_last_error()
    {
        await using var hub = new NotifyHub(notify, settings: new Dictionary<string, string> { ["Hub:Notify:MaxAttempts"] = "2" });
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var reference = $"{episodeId}:gives-up";
        notify.Behaviour = NotifyStub.Mode.Fail;
        notify.FailureStatus = 502;
        await EnqueueAsync(hub, Email(episodeId, reference));

        await WaitForAsync(hub, reference, r => r.Attempts >= 1 && r.ClaimToken == null, "the first failed dispatch");
        hub.Clock.Advance(TimeSpan.FromHours(1));
        var row = (await WaitForAsync(hub, reference, r => r.State != QueuedEmailStates.Pending, "the row given up"))!;

        Assert.Equal((QueuedEmailStates.Failed, "HTTP 502 Exception", 2), (row.State, row.LastError, row.Attempts));
        Assert.Empty(notify.Notifications);
    }

    [Fact]
    public async Task A_template_key_without_a_configured_template_id_is_undeliverable_with_the_reason_and_never_sent()
    {
        await using var hub = new NotifyHub(notify);
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example());
        var reference = $"{episodeId}:no-template";
        await EnqueueAsync(hub, Email(episodeId, reference, templateKey: "no-template"));

        var row = (await WaitForAsync(hub, reference, r => r.State != QueuedEmailStates.Pending, "the row settled"))!;

        Assert.Equal((QueuedEmailStates.Undeliverable, NotificationErrors.NoTemplateId("no-template"), 0), (row.State, row.LastError, row.Attempts));
        Assert.Empty(notify.Posts);
    }
}
