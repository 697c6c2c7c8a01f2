using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Referrals;
using ContinuityHub.Features.Releases;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using ContinuityHub.Security;

namespace ContinuityHub.DemoData;

public sealed record DemoDataSummary(int Releases, int Referrals, int Accepted, int Rejected, int Appointments, int Engagements,
    int Exclusions, TimeSpan Elapsed);

/// <summary>
/// Feeds a <see cref="DemoPopulation"/> through the hub's own services, exactly as the API's callers would:
/// each release through <see cref="ReleaseSubmission"/> (validator, intake, routing, referral, follow-ups),
/// each provider step through <see cref="ReferralActions"/>, each exclusion through
/// <see cref="EpisodeExclusionActions"/>; every one audited under the actor <see cref="Actor"/>. Nothing is
/// written with SQL of its own, so the data obeys every rule the hub has.
/// </summary>
public sealed class DemoDataLoader(IServiceProvider services, ReferenceData mappings, TimeProvider clock)
{
    /// <summary>Who the demo's notifications are submitted by (<c>release_notifications.submitted_by</c>) and whose actions the audit trail shows.</summary>
    public const string Actor = "demo-data";

    public async Task<DemoDataSummary> LoadAsync(int days, double perWeekday, int seed, Action<string> progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var releases = new DemoPopulation(mappings, seed).Generate(LondonTime.Today(clock), days, perWeekday);
        var prisonTeam = User(HubRoles.PrisonHealthcare, (HubClaims.Prisons, "*"));
        var providers = User(HubRoles.TreatmentProvider, (HubClaims.Ods, string.Join(',', mappings.Providers.Keys)));
        var probation = User(HubRoles.Probation, (HubClaims.Pdu, "*"));
        var (referrals, accepted, rejected, appointments, engagements, exclusions) = (0, 0, 0, 0, 0, 0);

        for (var i = 0; i < releases.Count; i++)
        {
            var release = releases[i];
            var taken = await InScopeAsync(prisonTeam, scope => SubmitAsync(scope, release, prisonTeam, cancellationToken));
            if (taken.ReferralId is not { } referralId) continue;
            referrals++;
            var story = release.Story;
            if (story.RejectionReason is { } reason)
            {
                await ActAsync(providers, actions => actions.RejectAsync(referralId, reason, providers.User, cancellationToken), "reject");
                rejected++;
            }
            else if (story.Accept)
            {
                await ActAsync(providers, actions => actions.AcceptAsync(referralId, providers.User, cancellationToken), "accept");
                accepted++;
            }
            if (story.Appointment is { } appointment)
            {
                await ActAsync(providers, actions => actions.RecordAppointmentAsync(referralId, appointment, providers.User, cancellationToken), "appointment");
                appointments++;
            }
            if (story.Engagement is { } engagement)
            {
                await ActAsync(providers, actions => actions.RecordEngagementAsync(referralId, engagement, providers.User, cancellationToken), "engagement");
                engagements++;
            }
            if (story is { ExclusionReason: { } exclusionReason, ExclusionDate: { } exclusionDate })
            {
                await ExcludeAsync(probation, taken.EpisodeId, exclusionReason, exclusionDate, cancellationToken);
                exclusions++;
            }
            if ((i + 1) % 500 == 0) progress($"{i + 1} of {releases.Count} releases loaded ({stopwatch.Elapsed.TotalSeconds:0} s)");
        }
        return new DemoDataSummary(releases.Count, referrals, accepted, rejected, appointments, engagements, exclusions, stopwatch.Elapsed);
    }

    private static async Task<ReleaseAccepted> SubmitAsync(IServiceProvider scope, DemoRelease release, DemoUser prisonTeam, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(release.Notification.ToJsonString());
        var outcome = await scope.GetRequiredService<ReleaseSubmission>().SubmitAsync(document.RootElement, prisonTeam.User, cancellationToken);
        return outcome is SubmissionOutcome.Accepted { Result: IntakeResult.Created, Body: { } body }
            ? body
            : throw new InvalidOperationException($"The hub did not take a demo release ({Describe(outcome)}).");
    }

    private Task ActAsync(DemoUser provider, Func<ReferralActions, Task<ActionOutcome>> act, string step) =>
        InScopeAsync(provider, async scope => await act(scope.GetRequiredService<ReferralActions>()) is ActionOutcome.Done
            ? true
            : throw new InvalidOperationException($"The hub refused the demo's {step} step."));

    private Task ExcludeAsync(DemoUser probation, Guid episodeId, string reason, DateOnly date, CancellationToken cancellationToken) =>
        InScopeAsync(probation, async scope => await scope.GetRequiredService<EpisodeExclusionActions>()
            .RecordAsync(episodeId, new ExclusionInput(reason, date, []), probation.User, cancellationToken) is ExclusionOutcome.Recorded
            ? true
            : throw new InvalidOperationException("The hub refused a demo exclusion."));

    /// <summary>One DI scope (one unit of work) per step, with the step's user as the request's, so the audit trail names the demo as the actor.</summary>
    private async Task<T> InScopeAsync<T>(DemoUser user, Func<IServiceProvider, Task<T>> step)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext { User = user.Principal };
        return await step(scope.ServiceProvider);
    }

    private static string Describe(SubmissionOutcome outcome) => outcome switch
    {
        SubmissionOutcome.Invalid invalid => "invalid: " + string.Join("; ", invalid.Problems.Select(p => $"{p.Pointer} {p.Detail}")),
        SubmissionOutcome.Forbidden forbidden => "forbidden: " + forbidden.Detail,
        SubmissionOutcome.Accepted accepted => accepted.Result.ToString(),
        _ => outcome.GetType().Name,
    };

    private sealed record DemoUser(ClaimsPrincipal Principal)
    {
        public HubUser User { get; } = new(Principal);
    }

    private static DemoUser User(string role, (string Type, string Value) scope) => new(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(HubClaims.Subject, Actor), new Claim(HubClaims.Name, "Demo data loader"), new Claim(HubClaims.Roles, role), new Claim(scope.Type, scope.Value)],
        authenticationType: Actor, HubClaims.Name, HubClaims.Roles)));
}
