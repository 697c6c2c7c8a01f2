using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using FhirJson = ContinuityHub.Features.Fhir.FhirJson;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure.Delivery;
using ContinuityHub.Mappings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.ProviderPush;

/// <summary>
/// Sends the queued pushes: on every node, it claims due rows, builds each message from the referral as it
/// is now (only the version the row was queued for is sent; an older one is superseded by its successor),
/// POSTs it through <see cref="ProviderPushClient"/>, and records the outcome — sent, or the error and the
/// next attempt (exponential backoff with jitter, in the database, so it survives restarts).
/// </summary>
public sealed class ProviderPushDispatcher(IServiceScopeFactory scopes, ReferenceData mappings, IOptions<HubOptions> options,
    TimeProvider clock, ILogger<ProviderPushDispatcher> logger) : OutboxDispatcher(options.Value.ProviderPush, clock, logger)
{
    private readonly ProviderPushOptions settings = options.Value.ProviderPush;

    protected override string What => "provider push";

    protected override IEnumerable<string> SettingProblems() => settings.Problems();

    protected override string? NotDispatchingBecause() =>
        settings.Enabled ? null : "Hub:ProviderPush:Enabled is false; pushes stay queued for another node or a restart";

    /// <returns>How many rows were claimed.</returns>
    protected override async Task<int> DispatchDueAsync(CancellationToken stoppingToken)
    {
        var claimToken = Guid.NewGuid();
        List<ProviderPush> due;
        await using (var scope = scopes.CreateAsyncScope())
            due = await scope.ServiceProvider.GetRequiredService<ProviderPushOutbox>()
                .ClaimDueAsync(claimToken, settings.BatchSize, settings.Lease, stoppingToken);
        if (due.Count == 0) return 0;
        // Not cancelled by stoppingToken as a whole: each row, even one not started, must give its claim back.
        await Task.WhenAll(due.Select(push => DispatchOneAsync(push, claimToken, stoppingToken)));
        return due.Count;
    }

    private async Task DispatchOneAsync(ProviderPush push, Guid claimToken, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var outbox = services.GetRequiredService<ProviderPushOutbox>();
        try
        {
            stoppingToken.ThrowIfCancellationRequested();
            var db = services.GetRequiredService<HubDbContext>();
            var referral = await db.Referrals.AsNoTracking().Include(r => r.Episode).ThenInclude(e => e!.Person)
                .SingleAsync(r => r.Id == push.ReferralId, stoppingToken);
            if (referral.Version != push.ReferralVersion)
            {
                await outbox.GiveUpAsync(push, claimToken, ProviderPushStates.Superseded, null, attempted: false, stoppingToken);
                Log(push, "superseded by version {0}", referral.Version);
                return;
            }
            if (!ProviderConsent.Given(referral.Episode!))
            {
                // Queued before consent was withdrawn: the person's record must not leave now.
                await outbox.GiveUpAsync(push, claimToken, ProviderPushStates.Withheld, "consent withdrawn", attempted: false, stoppingToken);
                Log(push, "withheld: consent withdrawn");
                return;
            }
            if (mappings.Providers.GetValueOrDefault(push.ProviderOds) is not { FhirEndpoint: not null } provider)
            {
                await outbox.GiveUpAsync(push, claimToken, ProviderPushStates.Failed, "provider has no fhirEndpoint", attempted: false, stoppingToken);
                Logger.LogWarning("Provider push {PushId} of referral {ReferralId} v{ReferralVersion}: {ProviderOds} no longer has a fhirEndpoint in the mappings; given up",
                    push.Id, push.ReferralId, push.ReferralVersion, push.ProviderOds);
                return;
            }

            var bundle = services.GetRequiredService<ProviderMessageBuilder>().Build(referral, referral.Episode!, referral.Episode!.Person!, provider);
            // The message discloses the person's record to the provider: audited before it leaves, so no
            // disclosure goes unrecorded even if this node dies mid-send (a resend adds a second entry).
            services.GetRequiredService<AuditTrail>().Record("referral.pushed", "Referral", $"{referral.Id}/v{push.ReferralVersion}");
            await db.SaveChangesAsync(stoppingToken);
            var result = await services.GetRequiredService<ProviderPushClient>().SendAsync(provider, bundle.Id!, FhirJson.Serialize(bundle), stoppingToken);
            await RecordAsync(outbox, push, claimToken, result, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await GiveClaimBackAsync(token => outbox.ReleaseAsync(push, claimToken, token));
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Provider push {PushId} of referral {ReferralId} v{ReferralVersion} failed unexpectedly ({ExceptionType})",
                push.Id, push.ReferralId, push.ReferralVersion, e.GetType().Name);
            await outbox.RescheduleAsync(push, claimToken, e.GetType().Name, NextAttempt(push.Attempts + 1), CancellationToken.None);
        }
    }

    private async Task RecordAsync(ProviderPushOutbox outbox, ProviderPush push, Guid claimToken, PushResult result, CancellationToken cancellationToken)
    {
        var attempts = push.Attempts + 1;
        bool stillOurs;
        switch (result)
        {
            case PushResult.Delivered delivered:
                stillOurs = await outbox.MarkSentAsync(push, claimToken, cancellationToken);
                Log(push, "delivered (HTTP {0}) at attempt {1}", delivered.StatusCode, attempts);
                break;
            case PushResult.Refused refused:
                stillOurs = await outbox.GiveUpAsync(push, claimToken, ProviderPushStates.Failed, refused.Error, attempted: true, cancellationToken);
                Logger.LogError("Provider push {PushId} of referral {ReferralId} v{ReferralVersion} to {ProviderOds} refused ({Error}); given up",
                    push.Id, push.ReferralId, push.ReferralVersion, push.ProviderOds, refused.Error);
                break;
            case PushResult.Transient transient when attempts >= settings.MaxAttempts:
                stillOurs = await outbox.GiveUpAsync(push, claimToken, ProviderPushStates.Failed, transient.Error, attempted: true, cancellationToken);
                Logger.LogError("Provider push {PushId} of referral {ReferralId} v{ReferralVersion} to {ProviderOds} failed {Attempts} times ({Error}); given up",
                    push.Id, push.ReferralId, push.ReferralVersion, push.ProviderOds, attempts, transient.Error);
                break;
            case PushResult.Transient transient:
                var next = NextAttempt(attempts);
                stillOurs = await outbox.RescheduleAsync(push, claimToken, transient.Error, next, cancellationToken);
                Logger.LogWarning("Provider push {PushId} of referral {ReferralId} v{ReferralVersion} to {ProviderOds} failed ({Error}), attempt {Attempts}; next at {NextAttemptAt:o}",
                    push.Id, push.ReferralId, push.ReferralVersion, push.ProviderOds, transient.Error, attempts, next);
                break;
            default:
                throw new InvalidOperationException($"Unknown push result {result.GetType().Name}");
        }
        if (!stillOurs)
            Logger.LogWarning("Provider push {PushId}: the claim lapsed before the outcome was recorded; another node may send it again (Bundle.id is stable for de-duplication)", push.Id);
    }

    private DateTimeOffset NextAttempt(int attempts) => DeliveryBackoff.NextAttempt(settings, attempts, Clock.GetUtcNow());

    private void Log(ProviderPush push, string what, params object[] values) =>
        Logger.LogInformation("Provider push {PushId} of referral {ReferralId} v{ReferralVersion} to {ProviderOds}: {Outcome}",
            push.Id, push.ReferralId, push.ReferralVersion, push.ProviderOds, string.Format(System.Globalization.CultureInfo.InvariantCulture, what, values));
}
