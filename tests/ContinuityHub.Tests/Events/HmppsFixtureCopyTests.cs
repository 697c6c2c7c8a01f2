using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Events;

/// <summary>The repository's copies of the HMPPS event examples stay what shared/fixtures/hmpps holds, wherever it is beside the clone.</summary>
public sealed class HmppsFixtureCopyTests
{
    [Fact]
    public void The_copied_HMPPS_fixtures_equal_the_shared_ones_when_those_are_beside_the_repository()
    {
        Assert.NotEmpty(Directory.GetFiles(RepositoryPaths.HmppsFixtures, "*.json"));
        if (!Directory.Exists(RepositoryPaths.SharedHmppsFixtures)) return;
        var shared = Directory.GetFiles(RepositoryPaths.SharedHmppsFixtures).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(shared, Directory.GetFiles(RepositoryPaths.HmppsFixtures).Select(Path.GetFileName).Order().ToList());
        foreach (var name in shared)
            Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.SharedHmppsFixtures, name!)), File.ReadAllText(Path.Combine(RepositoryPaths.HmppsFixtures, name!)));
    }
}
