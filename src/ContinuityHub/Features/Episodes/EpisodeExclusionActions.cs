using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Episodes;

/// <summary>
/// An exclusion as the caller gave it: the values that could be read, and the problems met reading the rest
/// (a JSON body or a form), so one answer names every problem, those of reading and those of the rules.
/// </summary>
public sealed record ExclusionInput(string? Reason, DateOnly? Date, IReadOnlyList<FieldProblem> ReadProblems);

/// <summary>Where an episode stands after an exclusion was asked for: ids, states and dates, no personal data.</summary>
/// <param name="Result">
/// <c>excluded</c> (applied now), <c>already-excluded</c> (an exclusion on or before this date already stands: a
/// repeat changes nothing), or <c>engaged-before</c> (the person engaged on or before the date, so §7 does not
/// exclude them).
/// </param>
public sealed record ExclusionState(Guid EpisodeId, string Result, string EpisodeStatus, string Outcome, string? ExclusionReason,
    DateOnly? ExclusionDate, DateOnly? EngagedOn, DateOnly ReleaseDate, Guid? ReferralId, string? ReferralStatus);

public abstract record ExclusionOutcome
{
    public sealed record Recorded(ExclusionState State) : ExclusionOutcome;
    public sealed record NotFound : ExclusionOutcome;
    public sealed record Forbidden(string Detail) : ExclusionOutcome;
    public sealed record Invalid(IReadOnlyList<FieldProblem> Problems) : ExclusionOutcome;
}

/// <summary>
/// Records an event no feed reports — a death in the community, say — for one episode (contract §5
/// <c>POST /api/v1/episodes/{id}/exclusion</c>, and the probation page's form): in one transaction under the
/// person's lock, through <see cref="Episode.Exclude"/> (the rule the HMPPS events use), observed by every
/// <see cref="IEpisodeChangeObserver"/> (follow-ups cancelled, the provider pushed the cancelled Task), audited.
/// </summary>
public sealed class EpisodeExclusionActions(HubDbContext db, EpisodeLedger ledger, AuditTrail audit, TimeProvider clock)
{
    public const string Excluded = "excluded";
    public const string AlreadyExcluded = "already-excluded";
    public const string EngagedBefore = "engaged-before";

    public async Task<ExclusionOutcome> RecordAsync(Guid episodeId, ExclusionInput input, HubUser user, CancellationToken cancellationToken)
    {
        var located = await db.Episodes.AsNoTracking().SingleOrDefaultAsync(e => e.Id == episodeId, cancellationToken);
        if (located is null) return new ExclusionOutcome.NotFound();
        if (!MayRecord(user, located, await db.Referrals.AsNoTracking().SingleOrDefaultAsync(r => r.EpisodeId == episodeId, cancellationToken)))
            return new ExclusionOutcome.Forbidden(
                "Exclusions are recorded by probation for the episode's delivery unit (pdu claim), by the provider the referral is addressed to (ods claim), or by an admin.");

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ledger.LockPersonAsync(located.NomsNumber, cancellationToken);
        var episode = await db.Episodes.SingleAsync(e => e.Id == episodeId, cancellationToken);
        var problems = input.ReadProblems.Concat(Check(input, episode, LondonTime.Today(clock))).ToList();
        if (problems.Count > 0) return new ExclusionOutcome.Invalid(problems);

        var (reason, date) = (input.Reason!, input.Date!.Value);
        var referral = await ledger.ReferralOfAsync(episode, cancellationToken);
        var result = episode.Exclude(reason, date, referral, clock.GetUtcNow()) switch
        {
            ExclusionResult.Excluded => Excluded,
            ExclusionResult.EngagedBefore => EngagedBefore,
            _ => AlreadyExcluded,
        };
        audit.Record(result == Excluded ? "episode.exclusion" : "episode.exclusion.unchanged", "Episode", episode.Id.ToString());
        await ledger.SaveAndCommitAsync(transaction, cancellationToken);

        var outcome = EngagementRules.Classify(EngagementFacts.Of(episode), LondonTime.Today(clock));
        return new ExclusionOutcome.Recorded(new ExclusionState(episode.Id, result, episode.Status, EngagementRules.Code(outcome),
            episode.ExclusionReason, episode.ExclusionDate, episode.EngagedOn, episode.ReleaseDate, referral?.Id, referral?.TaskStatus));
    }

    /// <summary>
    /// Contract §3: probation for its delivery units, the provider the referral was shared with while the person
    /// consents (<see cref="CallerScope.MayActAsProvider"/>), an admin.
    /// </summary>
    private static bool MayRecord(HubUser user, Episode episode, Referral? referral) =>
        user.IsIn(HubRoles.Admin)
        || (user.IsIn(HubRoles.Probation) && user.MayActForPdu(episode.PduCode))
        || (referral is not null && CallerScope.Of(user).MayActAsProvider(episode, referral));

    /// <summary>Every rule the values break, each with its pointer (<c>/reason</c>, <c>/date</c>).</summary>
    public static IEnumerable<FieldProblem> Check(ExclusionInput input, Episode episode, DateOnly today)
    {
        if (input.Reason is null && input.ReadProblems.All(p => p.Pointer != "/reason"))
            yield return new FieldProblem("/reason", "is required.");
        if (input.Date is null && input.ReadProblems.All(p => p.Pointer != "/date"))
            yield return new FieldProblem("/date", "is required.");
        if (input.Reason is not null && !ExclusionReasons.All.Contains(input.Reason))
            yield return new FieldProblem("/reason", $"must be one of {string.Join(", ", ExclusionReasons.All)}.");
        if (input.Date is not { } date) yield break;
        var deadline = CareWindow.Deadline(episode.ReleaseDate);
        if (date > today)
            yield return new FieldProblem("/date", "is in the future; record an exclusion once it has happened.");
        else if (date < episode.ReleaseDate)
            yield return new FieldProblem("/date", $"is before the release date ({episode.ReleaseDate:yyyy-MM-dd}); an exclusion is something that happens after release.");
        else if (date > deadline)
            yield return new FieldProblem("/date",
                $"is after the 21-day window, which ended on {deadline:yyyy-MM-dd}; only an event within the window excludes a release from the measure.");
    }
}
