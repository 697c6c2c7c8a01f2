namespace ContinuityHub.Features.Measure;

/// <summary>Settings of the continuity-of-care measure (section <c>Hub:Measure</c>; environment variables <c>Hub__Measure__…</c>).</summary>
public sealed class MeasureOptions
{
    public const string Section = "Hub:Measure";

    /// <summary>The share of decided episodes that should be engaged (contract §7: 0.75, configurable).</summary>
    public decimal Target { get; set; } = 0.75m;
}
