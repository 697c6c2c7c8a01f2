using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Features.Notifications;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Referrals;

/// <summary>One thing that happened to a referral or its release, for the referral page's timeline.</summary>
public sealed record TimelineEntry(DateTimeOffset At, string Title, string? Detail = null, string? By = null);

/// <summary>A referral as its provider sees it on the referral page: the person, the release, the need, the contacts, the history.</summary>
public sealed record ReferralView(Referral Referral, Episode Episode, Person Person, string ProviderName, string? PrisonName,
    string? LocalAuthorityName, int DaysLeft, IReadOnlyList<TimelineEntry> Timeline)
{
    public DateOnly Deadline => CareWindow.Deadline(Episode.ReleaseDate);
    public bool AtRisk => DaysLeft is >= 0 and <= 7 && Episode.EngagedOn is null && Episode.Status == EpisodeStatus.Open;
}

public abstract record ReferralLookup
{
    public sealed record Found(ReferralView View) : ReferralLookup;
    public sealed record NotFound : ReferralLookup;
    public sealed record Forbidden : ReferralLookup;
}

/// <summary>
/// Reads one referral for its provider (<see cref="ProviderReferrals"/>: their organisation, consent standing)
/// with everything that happened to it, and audits the read like the API's reads.
/// </summary>
public sealed class ReferralRecord(HubDbContext db, AuditTrail audit, ReferenceData mappings, TimeProvider clock)
{
    private static readonly Dictionary<string, string> ActionTitles = new()
    {
        ["referral.accept"] = "Referral accepted",
        ["referral.reject"] = "Referral rejected",
        ["referral.appointment"] = "First appointment booked",
        ["referral.engagement"] = "Engagement recorded",
        ["referral.complete"] = "Referral completed",
    };

    private static readonly Dictionary<string, string> CheckpointTitles = new()
    {
        [FollowUpCheckpoints.DayBeforeRelease] = "Reminder the day before release",
        [FollowUpCheckpoints.Day2Escalation] = "Escalation 2 days after release",
        [FollowUpCheckpoints.Day7Alert] = "Alert 7 days after release",
        [FollowUpCheckpoints.Day14Alert] = "Alert 14 days after release",
        [FollowUpCheckpoints.WindowClose] = "21-day window closed",
    };

    public async Task<ReferralLookup> ReadAsync(Guid referralId, HubUser user, CancellationToken ct)
    {
        var referral = await db.Referrals.AsNoTracking().Include(r => r.Episode).ThenInclude(e => e!.Person)
            .SingleOrDefaultAsync(r => r.Id == referralId, ct);
        if (referral is null) return new ReferralLookup.NotFound();
        var episode = referral.Episode!;
        if (!ProviderReferrals.MaySee(user, referral, episode)) return new ReferralLookup.Forbidden();

        var timeline = await TimelineAsync(referral, episode, ct);
        audit.Record("referral.read", "Referral", referral.Id.ToString());
        await db.SaveChangesAsync(ct);

        var today = LondonTime.Today(clock);
        return new ReferralLookup.Found(new ReferralView(referral, episode, episode.Person!,
            mappings.Providers.GetValueOrDefault(referral.ProviderOds)?.Name ?? referral.ProviderOds,
            episode.PrisonCode is null ? null : mappings.Prisons.GetValueOrDefault(episode.PrisonCode)?.Name,
            episode.LocalAuthorityCode is null ? null : mappings.LocalAuthorities.GetValueOrDefault(episode.LocalAuthorityCode)?.Name,
            CareWindow.Deadline(episode.ReleaseDate).DayNumber - today.DayNumber, timeline));
    }

    private async Task<List<TimelineEntry>> TimelineAsync(Referral referral, Episode episode, CancellationToken ct)
    {
        var entries = new List<TimelineEntry>();

        var notifications = await db.ReleaseNotifications.AsNoTracking().Where(n => n.EpisodeId == episode.Id)
            .Select(n => new { n.ReceivedAt, n.Source }).ToListAsync(ct);
        entries.AddRange(notifications.Select(n => new TimelineEntry(n.ReceivedAt, "Release notification received",
            n.Source == Releases.ReleaseSources.Probation ? "From probation" : "From the prison healthcare team")));

        var events = await db.HmppsEvents.AsNoTracking().Where(e => e.EpisodeId == episode.Id)
            .Select(e => new { e.ReceivedAt, e.OccurredAt, e.EventType, e.Outcome }).ToListAsync(ct);
        entries.AddRange(events.Select(e => new TimelineEntry(e.OccurredAt ?? e.ReceivedAt, "Prison record updated",
            $"{e.EventType}: {e.Outcome.Replace('-', ' ')}")));

        entries.Add(new TimelineEntry(referral.CreatedAt, "Referral sent", $"To {mappings.Providers.GetValueOrDefault(referral.ProviderOds)?.Name ?? referral.ProviderOds}"));

        var id = referral.Id.ToString();
        var actions = ActionTitles.Keys.ToList();
        var changes = await db.AuditLog.AsNoTracking().Where(a => a.ResourceType == "Referral" && a.ResourceId == id && actions.Contains(a.Action))
            .Select(a => new { a.OccurredAt, a.Action, a.ActorSubject }).ToListAsync(ct);
        entries.AddRange(changes.Select(c => new TimelineEntry(c.OccurredAt, ActionTitles[c.Action], c.Action switch
        {
            "referral.reject" => referral.RejectionReason is { } reason ? $"Reason: {reason}" : null,
            "referral.appointment" => referral.AppointmentDate is { } date ? $"Appointment on {Day(date)}" : null,
            "referral.engagement" => episode.EngagedOn is { } date ? $"First attended on {Day(date)}" : null,
            _ => null,
        }, ActorName(c.ActorSubject))));

        var followUps = await db.Set<FollowUp>().AsNoTracking().Where(f => f.EpisodeId == episode.Id && f.State == FollowUpStates.Done && f.RanAt != null)
            .Select(f => new { f.RanAt, f.Checkpoint, f.Outcome }).ToListAsync(ct);
        entries.AddRange(followUps.Select(f => new TimelineEntry(f.RanAt!.Value, CheckpointTitles.GetValueOrDefault(f.Checkpoint, f.Checkpoint), f.Outcome)));

        var emails = await db.Set<QueuedEmail>().AsNoTracking().Where(e => e.EpisodeId == episode.Id)
            .Select(e => new { e.CreatedAt, e.SentAt, e.State, e.RecipientRole, e.TemplateKey }).ToListAsync(ct);
        entries.AddRange(emails.Select(e => new TimelineEntry(e.SentAt ?? e.CreatedAt,
            e.State == QueuedEmailStates.Sent ? $"Email sent to the {Recipient(e.RecipientRole)}" : $"Email to the {Recipient(e.RecipientRole)} not yet sent",
            e.TemplateKey)));

        if (episode.ExclusionDate is { } excludedOn)
            entries.Add(new TimelineEntry(new DateTimeOffset(excludedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), "Excluded from the measure",
                $"{episode.ExclusionReason} on {Day(excludedOn)}"));

        // Newest first; things recorded at the same instant in the reverse of the order they happened.
        return entries.Select((entry, order) => (entry, order)).OrderByDescending(e => e.entry.At).ThenByDescending(e => e.order)
            .Select(e => e.entry).ToList();
    }

    private static string Recipient(string role) => role switch
    {
        RecipientRoles.Provider => "treatment provider",
        RecipientRoles.PrisonTeam => "prison healthcare team",
        RecipientRoles.Probation => "probation practitioner",
        _ => role,
    };

    /// <summary>"dev:Alex Example" → "Alex Example"; an issuer's subject as it is.</summary>
    private static string ActorName(string subject) => subject.StartsWith("dev:", StringComparison.Ordinal) ? subject[4..] : subject;

    public static string Day(DateOnly date) => date.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
