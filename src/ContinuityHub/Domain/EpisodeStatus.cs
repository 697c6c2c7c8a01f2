namespace ContinuityHub.Domain;

/// <summary>Where an episode stands: open (window running), engaged, excluded (§7) or not engaged (window closed).</summary>
public static class EpisodeStatus
{
    public const string Open = "open";
    public const string Engaged = "engaged";
    public const string Excluded = "excluded";
    public const string NotEngaged = "not-engaged";
}
