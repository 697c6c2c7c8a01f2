namespace ContinuityHub.Domain;

/// <summary>Why an episode left the measure's denominator (contract §5, §7).</summary>
public static class ExclusionReasons
{
    public const string Died = "died";
    public const string ReturnedToCustody = "returnedToCustody";
    public const string RemovedFromUk = "removedFromUk";
    public const string Hospital = "hospital";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Died, ReturnedToCustody, RemovedFromUk, Hospital };

    /// <summary>The exclusion a release classification implies, if any (a release to hospital, say).</summary>
    public static string? ForClassification(string classification) => classification switch
    {
        ReleaseClassification.Died => Died,
        ReleaseClassification.RemovedFromUk => RemovedFromUk,
        ReleaseClassification.Hospital => Hospital,
        _ => null,
    };
}
