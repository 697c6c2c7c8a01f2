using System.Reflection;
using System.Reflection.Emit;
using ContinuityHub.Data;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Events;
using ContinuityHub.Features.Releases;

namespace ContinuityHub.Tests.DomainCore;

/// <summary>
/// One way to find and lock a person for every intake path (docs/decisions.md, "The domain core"): the notification
/// path (API, batch rows, the form, probation — all through <see cref="ReleaseIntakeService"/>, which takes in a group
/// of notifications at once through the same batch for several people, <see cref="EpisodeLedger.LockAndFindManyAsync"/>)
/// and the HMPPS events take the person's lock and read the person and their episodes through
/// <see cref="EpisodeLedger.LockAndFindAsync"/>, and pick the episode in code; neither queries the episodes table itself (the event path used to, by release-date
/// range). Read from the compiled code, lambdas and async state machines included.
/// </summary>
public sealed class PersonLookupTests
{
    private static readonly MethodInfo LockAndFind = typeof(EpisodeLedger).GetMethod(nameof(EpisodeLedger.LockAndFindAsync))!;
    private static readonly MethodInfo LockAndFindMany = typeof(EpisodeLedger).GetMethod(nameof(EpisodeLedger.LockAndFindManyAsync))!;

    [Theory]
    [InlineData(typeof(ReleaseIntakeService))]
    [InlineData(typeof(HmppsEventService))]
    public void An_intake_path_finds_its_person_through_the_ledgers_one_batch_and_never_queries_episodes_itself(Type intake)
    {
        var called = Called(intake);

        Assert.True(called.Contains(LockAndFind) || called.Contains(LockAndFindMany), $"{intake.Name} does not call EpisodeLedger.LockAndFindAsync");
        Assert.DoesNotContain(typeof(HubDbContext).GetProperty(nameof(HubDbContext.Episodes))!.GetMethod!, called);
        Assert.DoesNotContain(typeof(EpisodeLedger).GetMethod(nameof(EpisodeLedger.LockPersonAsync))!, called);
    }

    [Fact]
    public void One_person_is_looked_up_by_the_same_batch_as_many()
    {
        Assert.Contains(LockAndFindMany, Called(typeof(EpisodeLedger), nameof(EpisodeLedger.LockAndFindAsync)));
    }

    [Fact]
    public void The_notification_path_applies_the_merge_window_in_the_domain()
    {
        Assert.Contains(typeof(Episode).GetMethod(nameof(Episode.Mergeable))!, Called(typeof(ReleaseIntakeService)));
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
