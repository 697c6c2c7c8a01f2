namespace ContinuityHub.Tests.Infrastructure;

/// <summary>Folders of the repository and of shared/ beside it, found from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Mappings => Path.Combine(Root, "mappings");

    /// <summary>
    /// tests/fixtures/hmpps: the real HMPPS event shapes of shared/fixtures/hmpps, copied into the repository so that a
    /// clone anywhere (a <c>mktemp -d</c> folder, a CI checkout without shared/ beside it) runs every test.
    /// <see cref="SharedHmppsFixtures"/> is the source; a test holds the copies equal to it where it is present.
    /// </summary>
    public static string HmppsFixtures => Path.Combine(Root, "tests", "fixtures", "hmpps");

    /// <summary>shared/fixtures/hmpps beside the repository, where the product owner keeps the examples (absent in a lone clone).</summary>
    public static string SharedHmppsFixtures => Path.Combine(Root, "..", "shared", "fixtures", "hmpps");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ContinuityHub.sln"))) return dir.FullName;
        throw new InvalidOperationException("ContinuityHub.sln not found above the test binaries.");
    }
}
