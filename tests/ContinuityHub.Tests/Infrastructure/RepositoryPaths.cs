namespace ContinuityHub.Tests.Infrastructure;

/// <summary>Folders of the repository and of shared/ beside it, found from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Mappings => Path.Combine(Root, "mappings");

    /// <summary>shared/fixtures/hmpps: real HMPPS event shapes kept beside the repository.</summary>
    public static string HmppsFixtures => Path.Combine(Root, "..", "shared", "fixtures", "hmpps");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ContinuityHub.sln"))) return dir.FullName;
        throw new InvalidOperationException("ContinuityHub.sln not found above the test binaries.");
    }
}
