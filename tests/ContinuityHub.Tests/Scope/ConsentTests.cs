using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Features.ProviderPush;
using ContinuityHub.Security;
using ContinuityHub.Tests.FollowUps;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.ProviderPush;
using Microsoft.EntityFrameworkCore;
using Push = ContinuityHub.Features.ProviderPush.ProviderPush;

namespace ContinuityHub.Tests.Scope;

/// <summary>
/// Consent everywhere: without the person's consent, or once a later notification withdraws it, nothing about
/// them reaches the provider — no FHIR read or search result, no JSON API action, no outbox row, no follow-up
/// email, no push. The prison team and probation keep what is theirs.
/// </summary>
public sealed class ConsentTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string ProviderOds = "EXS2SN"; // where NN17 routes

    private HttpClient Provider() => hub.ClientFor(HubRoles.TreatmentProvider, ods: ProviderOds);

    private static JsonObject Withdrawal(string noms) => Notifications.Example(noms, consent: false);

    private async Task<(string Noms, Guid ReferralId, Guid PersonId, Guid EpisodeId)> SharedThenWithdrawnAsync()
    {
        var noms = Notifications.NewNomsNumber();
        var (referralId, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example(noms));
        await using var db = hub.Db();
        var personId = (await db.People.SingleAsync(p => p.NomsNumber == noms)).Id;
        Assert.Equal(HttpStatusCode.OK, (await Provider().GetAsync($"/fhir/ServiceRequest/{referralId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Provider().GetAsync($"/fhir/Patient/{personId}")).StatusCode);

        var withdrawn = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Withdrawal(noms));
        Assert.Equal("cancelled-consent-withdrawn", (await withdrawn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("referralOutcome").GetString());
        return (noms, referralId, personId, episodeId);
    }

    [Fact]
    public async Task After_consent_is_withdrawn_the_provider_can_read_neither_the_referral_nor_the_patient()
    {
        var (_, referralId, personId, _) = await SharedThenWithdrawnAsync();
        var provider = Provider();

        Assert.Equal(HttpStatusCode.Forbidden, (await provider.GetAsync($"/fhir/ServiceRequest/{referralId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await provider.GetAsync($"/fhir/Task/{referralId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await provider.GetAsync($"/fhir/Patient/{personId}")).StatusCode);
        // The prison team that sent it still sees its release.
        Assert.Equal(HttpStatusCode.OK, (await hub.PrisonClient("ONI").GetAsync($"/fhir/ServiceRequest/{referralId}")).StatusCode);
    }

    [Fact]
    public async Task After_consent_is_withdrawn_the_providers_searches_do_not_find_the_referral()
    {
        var (_, referralId, _, _) = await SharedThenWithdrawnAsync();
        var provider = Provider();

        foreach (var search in new[] { $"/fhir/ServiceRequest?performer=Organization/{ProviderOds}&_count=100", $"/fhir/Task?focus=ServiceRequest/{referralId}" })
        {
            var bundle = JsonNode.Parse(await provider.GetStringAsync(search))!;
            var ids = (bundle["entry"]?.AsArray() ?? []).Select(e => (string?)e!["resource"]!["id"]).ToList();
            Assert.DoesNotContain(referralId.ToString(), ids);
        }
        var byTask = JsonNode.Parse(await provider.GetStringAsync($"/fhir/Task?focus=ServiceRequest/{referralId}"))!;
        Assert.Equal(0, (int)byTask["total"]!);
    }

    [Fact]
    public async Task After_consent_is_withdrawn_the_provider_cannot_act_on_the_referral_through_the_JSON_API()
    {
        var (_, referralId, _, _) = await SharedThenWithdrawnAsync();

        var response = await Provider().PostAsync($"/api/v1/referrals/{referralId}/accept", null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task After_consent_is_withdrawn_the_provider_cannot_record_an_exclusion_on_the_episode()
    {
        var (_, _, _, episodeId) = await SharedThenWithdrawnAsync();

        var response = await Provider().PostAsJsonAsync($"/api/v1/episodes/{episodeId}/exclusion", new { reason = "died", date = "2026-12-05" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Without_consent_the_provider_cannot_see_the_patient_even_though_the_episode_records_the_provider()
    {
        var noms = Notifications.NewNomsNumber();
        await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(noms, consent: false));
        await using var db = hub.Db();
        var person = await db.People.SingleAsync(p => p.NomsNumber == noms);
        Assert.Equal(ProviderOds, (await db.Episodes.SingleAsync(e => e.PersonId == person.Id)).ProviderOds);

        Assert.Equal(HttpStatusCode.Forbidden, (await Provider().GetAsync($"/fhir/Patient/{person.Id}")).StatusCode);
    }
}

/// <summary>Consent and the follow-up emails: the provider is not among the recipients, the others still get theirs.</summary>
public sealed class ConsentFollowUpTests
{
    private static HttpClient Provider(HubFactory hub) => hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");

    private static async Task<List<string>> RecipientsAsync(FollowUpHub hub, Guid episodeId, string templateKey) =>
        (await hub.OutboxAsync()).Where(r => r.EpisodeId == episodeId && r.TemplateKey == templateKey).Select(r => r.RecipientRole).Order().ToList();

    private static async Task RunCheckpointAsync(FollowUpHub hub, Guid episodeId, string checkpoint)
    {
        var followUp = (await hub.FollowUpsAsync(episodeId)).Single(f => f.Checkpoint == checkpoint);
        hub.Clock.Set(followUp.DueAt.AddMinutes(1));
        Assert.Equal(ContinuityHub.Features.FollowUps.FollowUpRunResult.Done, await hub.RunAsync(followUp.Id));
    }

    [Fact]
    public async Task Without_consent_the_day_7_and_day_14_alerts_go_to_probation_only()
    {
        await using var hub = FollowUpHub.Node(fire: false);
        var noms = Notifications.NewNomsNumber();
        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(noms, releaseDate: "2026-11-20", consent: false));
        var episodeId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("episodeId").GetGuid();

        await RunCheckpointAsync(hub, episodeId, "day-7-alert");
        await RunCheckpointAsync(hub, episodeId, "day-14-alert");

        Assert.Equal(["probation"], await RecipientsAsync(hub, episodeId, "follow-up.day-7-alert"));
        Assert.Equal(["probation"], await RecipientsAsync(hub, episodeId, "follow-up.day-14-alert"));
    }

    [Fact]
    public async Task After_withdrawal_the_provider_gets_no_alert_its_waiting_email_is_withheld_and_it_lists_nothing_about_the_person()
    {
        await using var hub = FollowUpHub.Node(fire: false);
        var noms = Notifications.NewNomsNumber();
        var (_, episodeId) = await hub.SubmitReleaseAsync(Notifications.Example(noms, releaseDate: "2026-11-29"));
        await RunCheckpointAsync(hub, episodeId, "day-before-release");
        Assert.Equal(["prison-team", "provider"], await RecipientsAsync(hub, episodeId, "follow-up.day-before-release"));
        var listed = await Provider(hub).GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        Assert.Contains(listed.GetProperty("notifications").EnumerateArray(), n => n.GetProperty("episodeId").GetGuid() == episodeId);

        var withdrawal = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(noms, releaseDate: "2026-11-29", consent: false));
        Assert.Equal(HttpStatusCode.Created, withdrawal.StatusCode);
        await RunCheckpointAsync(hub, episodeId, "day-7-alert");

        Assert.Equal(["probation"], await RecipientsAsync(hub, episodeId, "follow-up.day-7-alert"));
        await using (var db = hub.Db())
        {
            var providerEmail = await db.Set<QueuedEmail>().SingleAsync(e => e.EpisodeId == episodeId && e.RecipientRole == RecipientRoles.Provider);
            Assert.Equal(QueuedEmailStates.Withheld, providerEmail.State);
            Assert.Equal(QueuedEmailStates.Pending, (await db.Set<QueuedEmail>().SingleAsync(e => e.EpisodeId == episodeId && e.RecipientRole == RecipientRoles.PrisonTeam)).State);
        }
        var afterwards = await Provider(hub).GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        Assert.DoesNotContain(afterwards.GetProperty("notifications").EnumerateArray(), n => n.GetProperty("episodeId").GetGuid() == episodeId);
        var prisonView = await hub.PrisonClient("ONI").GetFromJsonAsync<JsonElement>($"/api/v1/notifications?episodeId={episodeId}");
        Assert.Equal(3, prisonView.GetProperty("count").GetInt32());
    }
}

/// <summary>Consent and the FHIR push to a provider's endpoint.</summary>
public sealed class ConsentPushTests : IAsyncLifetime
{
    private ProviderStub provider = null!;

    public async Task InitializeAsync() => provider = await ProviderStub.StartAsync();

    public async Task DisposeAsync() => await provider.DisposeAsync();

    private static async Task<List<Push>> PushesAsync(HubFactory hub)
    {
        await using var db = hub.Db();
        return await db.Set<Push>().AsNoTracking().OrderBy(p => p.CreatedAt).ToListAsync();
    }

    [Fact]
    public async Task Without_consent_or_after_withdrawal_nothing_is_pushed()
    {
        await using var hub = new PushHub(provider);
        await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(consent: false));
        var noms = Notifications.NewNomsNumber();
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example(noms));
        await Eventually.WaitForAsync(() => Task.FromResult(provider.Delivered), d => d.Count == 1, "the shared referral's push");

        await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(noms, consent: false));
        await Task.Delay(PushHub.PollInterval * 10);

        var pushes = await PushesAsync(hub);
        Assert.Equal([(referralId, 1)], pushes.Select(p => (p.ReferralId, p.ReferralVersion)));
        Assert.Single(provider.Delivered);
    }

    [Fact]
    public async Task A_push_queued_before_consent_was_withdrawn_is_withheld_not_sent()
    {
        var database = TestPostgres.CreateDatabase("consentpush");
        Guid referralId;
        await using (var queueing = new PushHub(provider, database, dispatch: false))
        {
            (referralId, var episodeId) = await queueing.SubmitReleaseAsync(Notifications.Example());
            // Withdrawn in a way that leaves the referral's version as it was (so the push is not superseded).
            TestPostgres.Execute(database, $"UPDATE episodes SET consent_to_share = false WHERE id = '{episodeId}'");
        }
        await using var sending = new PushHub(provider, database);
        _ = sending.Server;

        var push = await Eventually.WaitForAsync(async () => (await PushesAsync(sending)).Single(), p => p.State != ProviderPushStates.Pending, "the push to be settled");
        Assert.Equal((referralId, ProviderPushStates.Withheld), (push.ReferralId, push.State));
        Assert.Empty(provider.Requests);
    }
}
