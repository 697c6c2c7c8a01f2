using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using ContinuityHub.Data;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.DomainCore;

/// <summary>
/// The structure of docs/decisions.md ("The domain core"): feature folders depend on the core, never the reverse; the
/// core and Data depend on no feature; no cycle between feature folders; and only the core changes a person, an
/// episode or a referral. Read from the compiled assembly (<see cref="AssemblyDependencies"/>) and, for what the
/// compiler leaves no trace of (a constant is copied into its user), from the source of Domain/ and Data/.
/// </summary>
public sealed partial class DependencyDirectionTests
{
    private static readonly Assembly Hub = typeof(HubDbContext).Assembly;
    private static readonly Dictionary<string, Dictionary<string, string>> Graph = AssemblyDependencies.Of(Hub);

    [Fact]
    public void Feature_folders_have_no_cycles()
    {
        var cycles = AssemblyDependencies.Cycles(Graph, n => n.StartsWith("Features.", StringComparison.Ordinal));
        Assert.True(cycles.Count == 0, "Feature folders that depend on each other in a cycle:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void The_domain_core_depends_on_nothing_else_in_the_hub()
    {
        var edges = Graph.GetValueOrDefault("Domain") ?? [];
        Assert.True(edges.Count == 0, "Domain depends on: " + string.Join("; ", edges.Select(e => $"{e.Key} ({e.Value})")));
    }

    [Fact]
    public void Data_depends_on_the_domain_core_only()
    {
        var edges = (Graph.GetValueOrDefault("Data") ?? []).Where(e => e.Key != "Domain").ToList();
        Assert.True(edges.Count == 0, "Data depends on: " + string.Join("; ", edges.Select(e => $"{e.Key} ({e.Value})")));
    }

    /// <summary>A constant (a status code, say) leaves no reference in the compiled code, so the source is read too.</summary>
    [Theory]
    [InlineData("Domain")]
    [InlineData("Data")]
    public void The_source_of_the_core_and_Data_names_no_feature_folder(string folder)
    {
        var offending = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src", "ContinuityHub", folder), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(x => FeatureReference().IsMatch(x.line))
            .Select(x => $"{Path.GetFileName(x.file)}:{x.number}: {x.line.Trim()}")
            .ToList();
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    /// <summary>
    /// Every change of state goes through Domain/: outside it, no code calls a property setter of Person, Episode or
    /// Referral (reading them, and projecting query results into them inside LINQ expression trees, is fine).
    /// </summary>
    [Fact]
    public void Only_the_domain_core_changes_a_person_an_episode_or_a_referral()
    {
        Type[] owned = [typeof(Person), typeof(Episode), typeof(Referral)];
        var setters = owned.SelectMany(t => t.GetProperties()).Select(p => p.SetMethod).OfType<MethodInfo>().ToHashSet();
        var offending = AssemblyDependencies.MethodBodies(Hub)
            .Where(m => m.WrittenIn.Namespace != typeof(Episode).Namespace)
            .SelectMany(m => AssemblyDependencies.MembersNamedIn(m.Method, m.Body)
                .Where(x => (x.OpCode == OpCodes.Call || x.OpCode == OpCodes.Callvirt) && x.Member is MethodInfo called && setters.Contains(called))
                .Select(x => $"{m.WrittenIn.FullName}.{m.Method.Name} sets {x.Member.DeclaringType!.Name}.{x.Member.Name[4..]}"))
            .Distinct()
            .ToList();
        Assert.True(offending.Count == 0, "Changed outside Domain/:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void The_checks_see_references_in_lambdas_and_async_methods()
    {
        // The exclusion endpoint reads its body in an async method: the reference lives in a compiler-generated state machine.
        Assert.Contains("Infrastructure", Graph["Features.Episodes"].Keys);
        Assert.Contains("Domain", Graph["Features.Referrals"].Keys);
        // The setter check is not vacuous: the core itself does set the properties (Episode.Open, a transition's lambda-free body).
        var setters = typeof(Episode).GetProperties().Select(p => p.SetMethod).OfType<MethodInfo>().ToHashSet();
        Assert.Contains(AssemblyDependencies.MethodBodies(Hub).Where(m => m.WrittenIn == typeof(Episode)),
            m => AssemblyDependencies.MembersNamedIn(m.Method, m.Body).Any(x => x.OpCode == OpCodes.Callvirt && x.Member is MethodInfo s && setters.Contains(s)));
    }

    /// <summary>The 21 days, the ±14 days and the Europe/London day are <see cref="CareWindow"/>'s, defined nowhere else.</summary>
    [Fact]
    public void The_care_window_is_defined_only_in_the_core()
    {
        var source = Path.Combine(RepositoryPaths.Root, "src", "ContinuityHub");
        var offending = Directory.EnumerateFiles(source, "*.cs*", SearchOption.AllDirectories)
            .Where(file => !file.StartsWith(Path.Combine(source, "Domain"), StringComparison.Ordinal)
                           && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                           && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(x => WindowDefinition().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(source, x.file)}:{x.number}: {x.line.Trim()}")
            .ToList();
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    /// <summary>
    /// The IL check cannot see SQL: a state change written as SQL (for speed, say) must be a fragment the core owns, so
    /// no <c>UPDATE episodes/referrals/people</c> and no <c>ExecuteUpdate</c> on them outside Domain/.
    /// </summary>
    [Fact]
    public void No_SQL_outside_the_core_changes_a_person_an_episode_or_a_referral()
    {
        var source = Path.Combine(RepositoryPaths.Root, "src", "ContinuityHub");
        var offending = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.StartsWith(Path.Combine(source, "Domain"), StringComparison.Ordinal))
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(x => StateChangingSql().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(source, x.file)}:{x.number}: {x.line.Trim()}")
            .ToList();
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    [GeneratedRegex(@"(?i)\bUPDATE\s+(episodes|referrals|people)\b|\b(Episodes|Referrals|People)\b.*ExecuteUpdate")]
    private static partial Regex StateChangingSql();

    // Anywhere in the line, doc comments included: a cref is a dependency too.
    [GeneratedRegex(@"\b(ContinuityHub\.)?(Features|Pages|WebUi|Hosting)\.[A-Z]")]
    private static partial Regex FeatureReference();

    [GeneratedRegex(@"""Europe/London""|AddDays\(\s*(-?\s*21|-\s*14)\s*\)|const\s+int\s+\w+\s*=\s*(21|14)\s*;")]
    private static partial Regex WindowDefinition();
}
