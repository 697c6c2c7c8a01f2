namespace ContinuityHub.Domain;

/// <summary>What a NOMIS movement reason code means for the 21-day measure.</summary>
public static class ReleaseClassification
{
    public const string CommunityRelease = "community-release";
    public const string NotARelease = "not-a-release";
    public const string Died = "died";
    public const string RemovedFromUk = "removed-from-uk";
    public const string Hospital = "hospital";
    public static readonly IReadOnlySet<string> All = new HashSet<string> { CommunityRelease, NotARelease, Died, RemovedFromUk, Hospital };
}
