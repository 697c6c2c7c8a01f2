using System.Reflection;
using System.Reflection.Emit;
using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Events;
using ContinuityHub.Features.Releases;

namespace ContinuityHub.Tests.DomainCore;

/// <summary>
/// One way to find and lock a person for every intake path (docs/decisions.md, "The domain core"): the notification
/// path (API, batch rows, the form, probation — all through <see cref="ReleaseIntakeService"/>) and the HMPPS events
/// take the person's lock and read the person and their episodes through <see cref="EpisodeLedger.LockAndFindAsync"/>,
/// and pick the episode in code; neither queries the episodes table itself (the event path used to, by release-date
/// range). Read from the compiled code, lambdas and async state machines included.
/// </summary>
public sealed class PersonLookupTests
{
    private static readonly MethodInfo LockAndFind = typeof(EpisodeLedger).GetMethod(nameof(EpisodeLedger.LockAndFindAsync))!;
    private static readonly MethodInfo LockAndFindForRelease = typeof(EpisodeLedger).GetMethod(nameof(EpisodeLedger.LockAndFindPersonAsync))!;

    [Theory]
    [InlineData(typeof(ReleaseIntakeService))]
    [InlineData(typeof(HmppsEventService))]
    public void An_intake_path_finds_its_person_through_the_ledgers_one_batch_and_never_queries_episodes_itself(Type intake)
    {
        var called = Called(intake);

        Assert.True(called.Contains(LockAndFind) || called.Contains(LockAndFindForRelease), $"{intake.Name} does not call EpisodeLedger.LockAndFindAsync");
        Assert.DoesNotContain(typeof(HubDbContext).GetProperty(nameof(HubDbContext.Episodes))!.GetMethod!, called);
        Assert.DoesNotContain(typeof(EpisodeLedger).GetMethod(nameof(EpisodeLedger.LockPersonAsync))!, called);
    }

    [Fact]
    public void The_release_look_up_is_the_batch_with_the_merge_window_applied_by_the_domain()
    {
        var called = Called(typeof(EpisodeLedger), nameof(EpisodeLedger.LockAndFindPersonAsync));

        Assert.Contains(LockAndFind, called);
        Assert.Contains(typeof(Episode).GetMethod(nameof(Episode.Mergeable))!, called);
    }

    /// <summary>The methods <paramref name="type"/>'s code calls (its closures and state machines included), optionally only from one method of it.</summary>
    private static HashSet<MethodBase> Called(Type type, string? fromMethod = null) =>
        AssemblyDependencies.MethodBodies(type.Assembly)
            .Where(m => m.WrittenIn == type && (fromMethod is null || m.Method.Name == fromMethod || m.Method.DeclaringType!.Name.Contains($"<{fromMethod}>", StringComparison.Ordinal)))
            .SelectMany(m => AssemblyDependencies.MembersNamedIn(m.Method, m.Body))
            .Where(x => x.OpCode == OpCodes.Call || x.OpCode == OpCodes.Callvirt)
            .Select(x => x.Member)
            .OfType<MethodBase>()
            .ToHashSet();
}
