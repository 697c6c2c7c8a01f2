using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Features.ProviderPush;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Fhir;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Push = ContinuityHub.Features.ProviderPush.ProviderPush;

namespace ContinuityHub.Tests.ProviderPush;

/// <summary>
/// Contract §5, last bullet: where mappings/ gives a provider a FHIR endpoint, each new referral and each new
/// version of one reaches it once, as a FHIR message Bundle, through failures, restarts and several nodes.
/// The provider is a real HTTP server on 127.0.0.1 that records what it receives.
/// </summary>
public sealed class ProviderPushTests : IAsyncLifetime
{
    private ProviderStub provider = null!;

    public async Task InitializeAsync() => provider = await ProviderStub.StartAsync();

    public async Task DisposeAsync() => await provider.DisposeAsync();

    private static Task<List<Push>> PushesOf(HubFactory hub, Guid referralId) => PushesOf(hub.ConnectionString, referralId);

    private static async Task<List<Push>> PushesOf(string connectionString, Guid referralId)
    {
        await using var db = new ContinuityHub.Data.HubDbContext(new DbContextOptionsBuilder<ContinuityHub.Data.HubDbContext>().UseNpgsql(connectionString).Options);
        return await db.Set<Push>().AsNoTracking().Where(p => p.ReferralId == referralId).OrderBy(p => p.ReferralVersion).ToListAsync();
    }

    private Task<IReadOnlyList<ProviderStub.Received>> DeliveredAsync(int count, string what) =>
        Eventually.WaitForAsync(() => provider.Delivered, d => d.Count >= count, what);

    private static Task<List<Push>> AllSentAsync(HubFactory hub, Guid referralId, int versions) =>
        Eventually.WaitForAsync(() => PushesOf(hub, referralId), p => p.Count == versions && p.All(x => x.State == ProviderPushStates.Sent),
            $"{versions} versions of referral {referralId} recorded as sent");

    [Fact]
    public async Task A_new_referral_arrives_once_as_a_valid_R4_message_bundle_headed_by_its_event()
    {
        await using var hub = new PushHub(provider);
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example());

        var message = (await DeliveredAsync(1, "the new referral"))[0];
        var pushes = await AllSentAsync(hub, referralId, versions: 1);

        // On the wire: a POST to the endpoint exactly as the mappings name it, FHIR JSON both ways, the Bundle id as correlation id.
        Assert.Equal(("POST", new Uri(provider.Endpoint).PathAndQuery), (message.Method, message.RawTarget));
        Assert.Equal("application/fhir+json; charset=utf-8", message.ContentType);
        Assert.Equal("application/fhir+json", message.Accept);
        Assert.Equal($"{referralId}-v1", message.CorrelationId);
        var schemaErrors = FhirValidator.Validate([message.Body])[0];
        Assert.True(schemaErrors.Count == 0, string.Join("\n", schemaErrors));

        var bundle = message.Bundle;
        Assert.Equal(("Bundle", "message", $"{referralId}-v1"), ((string?)bundle["resourceType"], (string?)bundle["type"], (string?)bundle["id"]));
        var entries = bundle["entry"]!.AsArray().Select(e => e!["resource"]!).ToList();
        Assert.Equal(["MessageHeader", "ServiceRequest", "Task", "Patient", "Organization", "Organization"],
            entries.Select(r => (string)r["resourceType"]!).ToArray());

        var header = entries[0];
        Assert.Equal("https://continuityhub.example.org/CodeSystem/message-event", (string?)header["eventCoding"]!["system"]);
        Assert.Equal("referral-new", (string?)header["eventCoding"]!["code"]);
        Assert.Equal("https://hub.example.org/fhir", (string?)header["source"]!["endpoint"]);
        Assert.Equal(provider.Endpoint, (string?)header["destination"]![0]!["endpoint"]);
        Assert.Equal("Organization/EXS2SN", (string?)header["destination"]![0]!["receiver"]!["reference"]);
        Assert.Equal([$"ServiceRequest/{referralId}", $"Task/{referralId}"], header["focus"]!.AsArray().Select(f => (string)f!["reference"]!).ToArray());

        Assert.Equal(referralId.ToString(), (string?)entries[1]["id"]);
        Assert.Equal("requested", (string?)entries[2]["status"]);
        Assert.Equal("1", (string?)entries[2]["meta"]!["versionId"]);
        Assert.Equal($"https://hub.example.org/fhir/ServiceRequest/{referralId}", (string?)bundle["entry"]![1]!["fullUrl"]);

        var push = Assert.Single(pushes);
        Assert.Equal((1, "EXS2SN", (string?)null), (push.Attempts, push.ProviderOds, push.LastError));
        Assert.Single(provider.Requests);

        // The disclosure to the provider is in the audit trail, by the system, once.
        await using var db = hub.Db();
        var audit = Assert.Single(await db.AuditLog.Where(a => a.Action == "referral.pushed").ToListAsync());
        Assert.Equal(("Referral", $"{referralId}/v1", "system"), (audit.ResourceType, audit.ResourceId, audit.ActorSubject));
    }

    [Fact]
    public async Task Accepting_sends_version_2_once_and_replaying_the_notification_sends_nothing_new()
    {
        await using var hub = new PushHub(provider);
        var notification = Notifications.Example();
        var (referralId, _) = await hub.SubmitReleaseAsync(notification);
        await DeliveredAsync(1, "version 1");

        var accepted = await hub.ClientFor(HubRoles.TreatmentProvider, ods: PushHub.ProviderOds).PostAsync($"/api/v1/referrals/{referralId}/accept", null);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var second = (await DeliveredAsync(2, "version 2"))[1];

        var header = second.Bundle["entry"]![0]!["resource"]!;
        Assert.Equal($"{referralId}-v2", second.BundleId);
        Assert.Equal("referral-updated", (string?)header["eventCoding"]!["code"]);
        Assert.Equal("accepted", (string?)second.Bundle["entry"]![2]!["resource"]!["status"]);

        var replay = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", notification);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);

        // Every queued version is sent and none is left to send: the replay queued nothing.
        await AllSentAsync(hub, referralId, versions: 2);
        Assert.Equal([$"{referralId}-v1", $"{referralId}-v2"], provider.Requests.Select(r => r.BundleId!).ToArray());
    }

    [Fact]
    public async Task A_provider_failing_with_500_gets_the_version_once_after_it_recovers_and_the_retry_waits_in_the_database()
    {
        await using var hub = new PushHub(provider);
        provider.Behaviour = ProviderStub.Mode.Fail;
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example());

        var failed = await Eventually.WaitForAsync(() => PushesOf(hub, referralId), p => p.Single().Attempts >= 1, "a failed attempt");
        var push = failed.Single();
        Assert.Equal((ProviderPushStates.Pending, "HTTP 500"), (push.State, push.LastError));
        Assert.True(push.NextAttemptAt > hub.Clock.GetUtcNow(), "the next attempt is scheduled later, not now");
        // One dispatch = the first try and one immediate (Polly) retry; then the row waits for its time.
        Assert.Equal(2, provider.Requests.Count);

        provider.Behaviour = ProviderStub.Mode.Accept;
        hub.Clock.Advance(TimeSpan.FromHours(2));
        var sent = (await AllSentAsync(hub, referralId, versions: 1)).Single();

        Assert.Equal(2, sent.Attempts);
        var delivered = Assert.Single(provider.Delivered);
        Assert.Equal($"{referralId}-v1", delivered.BundleId);
        Assert.All(provider.Requests, r => Assert.Equal($"{referralId}-v1", r.BundleId));
    }

    [Fact]
    public async Task A_version_still_waiting_when_the_next_one_is_queued_is_superseded_and_only_the_current_one_is_sent()
    {
        await using var hub = new PushHub(provider);
        provider.Behaviour = ProviderStub.Mode.Fail;
        provider.FailureStatus = 503;
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example());
        await Eventually.WaitForAsync(() => PushesOf(hub, referralId), p => p.Single().Attempts >= 1, "a failed attempt");

        var accepted = await hub.ClientFor(HubRoles.TreatmentProvider, ods: PushHub.ProviderOds).PostAsync($"/api/v1/referrals/{referralId}/accept", null);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        provider.Behaviour = ProviderStub.Mode.Accept;
        hub.Clock.Advance(TimeSpan.FromHours(2));

        var pushes = await Eventually.WaitForAsync(() => PushesOf(hub, referralId), p => p.Count == 2 && p.All(x => x.State != ProviderPushStates.Pending), "both versions settled");
        Assert.Equal([(1, ProviderPushStates.Superseded), (2, ProviderPushStates.Sent)], pushes.Select(p => (p.ReferralVersion, p.State)).ToArray());
        Assert.Equal($"{referralId}-v2", Assert.Single(provider.Delivered).BundleId);
    }

    [Fact]
    public async Task A_provider_hanging_past_the_timeout_is_tried_again_later_and_gets_the_version_once()
    {
        await using var hub = new PushHub(provider);
        provider.Behaviour = ProviderStub.Mode.Hang;
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example());

        var push = (await Eventually.WaitForAsync(() => PushesOf(hub, referralId), p => p.Single().Attempts >= 1, "a timed-out attempt")).Single();
        Assert.Equal((ProviderPushStates.Pending, "timeout"), (push.State, push.LastError));

        provider.Behaviour = ProviderStub.Mode.Accept;
        hub.Clock.Advance(TimeSpan.FromHours(2));
        await AllSentAsync(hub, referralId, versions: 1);

        Assert.Equal($"{referralId}-v1", Assert.Single(provider.Delivered).BundleId);
    }

    [Fact]
    public async Task A_push_queued_while_no_hub_dispatches_is_sent_once_after_a_restart()
    {
        string connectionString;
        Guid referralId;
        await using (var stopped = new PushHub(provider, dispatch: false))
        {
            connectionString = stopped.ConnectionString;
            (referralId, _) = await stopped.SubmitReleaseAsync(Notifications.Example());
            Assert.Equal(ProviderPushStates.Pending, (await PushesOf(stopped, referralId)).Single().State);
        }
        Assert.Empty(provider.Requests);

        await using var restarted = new PushHub(provider, connectionString);
        _ = restarted.Server; // start the host (and its dispatcher)
        await AllSentAsync(restarted, referralId, versions: 1);

        Assert.Equal($"{referralId}-v1", Assert.Single(provider.Requests).BundleId);
    }

    [Fact]
    public async Task A_node_stopped_mid_send_gives_its_claim_back_and_the_next_node_sends_the_version_once()
    {
        string connectionString;
        Guid referralId;
        await using (var first = new PushHub(provider))
        {
            connectionString = first.ConnectionString;
            provider.Behaviour = ProviderStub.Mode.Hang;
            (referralId, _) = await first.SubmitReleaseAsync(Notifications.Example());
            await Eventually.WaitForAsync(() => provider.Hanging, n => n >= 1, "the first node's send to start");
        }
        var afterStop = (await PushesOf(connectionString, referralId)).Single();
        Assert.Equal((ProviderPushStates.Pending, (Guid?)null), (afterStop.State, afterStop.ClaimToken));

        provider.Behaviour = ProviderStub.Mode.Accept;
        await using var second = new PushHub(provider, connectionString);
        _ = second.Server;
        await AllSentAsync(second, referralId, versions: 1);
        Assert.Equal($"{referralId}-v1", Assert.Single(provider.Delivered).BundleId);
    }

    [Fact]
    public async Task Two_hubs_on_one_database_deliver_each_version_exactly_once()
    {
        await using var nodeA = new PushHub(provider);
        await using var nodeB = new PushHub(provider, nodeA.ConnectionString);
        _ = nodeB.Server;

        var referrals = new List<Guid>();
        for (var i = 0; i < 12; i++)
            referrals.Add((await (i % 2 == 0 ? nodeA : nodeB).SubmitReleaseAsync(Notifications.Example())).ReferralId);
        // Every version 1 out before any acceptance: a version still waiting when its successor is queued is
        // superseded by design (tested on its own below), which would make this count depend on timing.
        foreach (var id in referrals) await AllSentAsync(nodeA, id, versions: 1);
        foreach (var (id, i) in referrals.Select((id, i) => (id, i)).Where(x => x.i % 3 == 0))
        {
            var node = i % 2 == 0 ? nodeB : nodeA;
            var accepted = await node.ClientFor(HubRoles.TreatmentProvider, ods: PushHub.ProviderOds).PostAsync($"/api/v1/referrals/{id}/accept", null);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        var expected = referrals.Select((id, i) => (id, versions: i % 3 == 0 ? 2 : 1)).ToList();
        foreach (var (id, versions) in expected) await AllSentAsync(nodeA, id, versions);

        var expectedIds = expected.SelectMany(x => Enumerable.Range(1, x.versions).Select(v => $"{x.id}-v{v}")).Order().ToArray();
        Assert.Equal(expectedIds, provider.Requests.Select(r => r.BundleId!).Order().ToArray());
    }

    [Fact]
    public async Task An_episode_change_that_leaves_the_referral_version_alone_queues_nothing()
    {
        await using var hub = new PushHub(provider);
        var noms = Notifications.NewNomsNumber();
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example(nomsNumber: noms, releaseDate: "2026-11-20"));
        await AllSentAsync(hub, referralId, versions: 1);

        // The release event confirms the date: the episode changes, the referral (version 1) does not.
        var confirmed = await HmppsEvents.PostAsync(hub.ClientFor(HubRoles.EventFeed), HmppsEvents.Release(noms, "2026-11-20T09:00:00Z").ToJsonString());
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);

        Assert.Single(await PushesOf(hub, referralId));
        Assert.Single(provider.Requests);
    }

    [Fact]
    public async Task A_release_date_moved_by_an_HMPPS_event_is_a_new_referral_version_read_and_pushed_with_the_new_date()
    {
        await using var hub = new PushHub(provider);
        var noms = Notifications.NewNomsNumber();
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example(nomsNumber: noms, releaseDate: "2026-11-25", status: "planned"));
        await AllSentAsync(hub, referralId, versions: 1);

        // Released four days early: the ServiceRequest's period and the Task's deadline change with it.
        var moved = await HmppsEvents.PostAsync(hub.ClientFor(HubRoles.EventFeed), HmppsEvents.Release(noms, "2026-11-21T10:00:00Z").ToJsonString());
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        await AllSentAsync(hub, referralId, versions: 2);
        var read = await hub.ClientFor(HubRoles.TreatmentProvider, ods: PushHub.ProviderOds).GetAsync($"/fhir/ServiceRequest/{referralId}");
        Assert.Equal("W/\"2\"", read.Headers.ETag?.ToString());
        var serviceRequest = System.Text.Json.Nodes.JsonNode.Parse(await read.Content.ReadAsStringAsync())!;
        Assert.Equal(("2", "2026-11-21"), ((string?)serviceRequest["meta"]!["versionId"], (string?)serviceRequest["occurrencePeriod"]!["start"]));
        var pushed = provider.Delivered.Single(d => d.BundleId == $"{referralId}-v2").Bundle;
        Assert.Equal("2026-11-21", (string?)pushed["entry"]![1]!["resource"]!["occurrencePeriod"]!["start"]);
    }

    [Fact]
    public async Task Nothing_is_pushed_without_consent_or_to_a_provider_without_an_endpoint()
    {
        await using var hub = new PushHub(provider);
        var noConsent = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(consent: false));
        Assert.Equal(HttpStatusCode.Created, noConsent.StatusCode);
        // NN1 routes to West Northamptonshire's provider, which has no endpoint in the mappings.
        var (westReferral, _) = await hub.SubmitReleaseAsync(Notifications.Example(postcode: "NN1 1AA"));
        var (northReferral, _) = await hub.SubmitReleaseAsync(Notifications.Example());

        await AllSentAsync(hub, northReferral, versions: 1);
        await using var db = hub.Db();
        Assert.Equal([northReferral], await db.Set<Push>().Select(p => p.ReferralId).ToListAsync());
        Assert.Empty(await PushesOf(hub, westReferral));
        Assert.Equal($"{northReferral}-v1", Assert.Single(provider.Requests).BundleId);
    }
}
