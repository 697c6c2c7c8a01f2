using System.Text.Json.Serialization;

namespace ContinuityHub.Features.Measure;

/// <summary>What a report is asked for: release dates From–To (inclusive), judged as of AsOf, broken down by each GroupBy.</summary>
public sealed record EngagementReportQuery(DateOnly From, DateOnly To, DateOnly AsOf, IReadOnlyList<string> GroupBy);

/// <summary>Counts of excluded episodes by reason (contract §7).</summary>
public sealed record ExclusionCounts(
    [property: JsonPropertyName("died")] int Died,
    [property: JsonPropertyName("returnedToCustody")] int ReturnedToCustody,
    [property: JsonPropertyName("removedFromUk")] int RemovedFromUk,
    [property: JsonPropertyName("hospital")] int Hospital);

/// <summary>
/// The engagement report of contract §7. <c>cohort = engaged + notEngaged + pending + excluded</c>;
/// <c>rate = engaged / (engaged + notEngaged)</c>. The bounds say where the rate can still end once every
/// pending window has closed: every pending person engages, or none does.
/// </summary>
public sealed record EngagementReport(
    [property: JsonPropertyName("measure")] string Measure,
    [property: JsonPropertyName("from")] DateOnly From,
    [property: JsonPropertyName("to")] DateOnly To,
    [property: JsonPropertyName("asOf")] DateOnly AsOf,
    [property: JsonPropertyName("windowDays")] int WindowDays,
    [property: JsonPropertyName("target")] decimal Target,
    [property: JsonPropertyName("cohort")] int Cohort,
    [property: JsonPropertyName("engaged")] int Engaged,
    [property: JsonPropertyName("notEngaged")] int NotEngaged,
    [property: JsonPropertyName("pending")] int Pending,
    [property: JsonPropertyName("excluded")] int Excluded,
    [property: JsonPropertyName("exclusions")] ExclusionCounts Exclusions,
    [property: JsonPropertyName("rate")] decimal? Rate,
    [property: JsonPropertyName("meetsTarget")] bool? MeetsTarget,
    [property: JsonPropertyName("rateIfAllPendingEngage")] decimal? RateIfAllPendingEngage,
    [property: JsonPropertyName("rateIfNoPendingEngage")] decimal? RateIfNoPendingEngage,
    [property: JsonPropertyName("groups")] IReadOnlyList<EngagementGroup> Groups);

/// <summary>One row of a breakdown: the episodes whose <see cref="By"/> value is <see cref="Key"/>.</summary>
public sealed record EngagementGroup(
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("cohort")] int Cohort,
    [property: JsonPropertyName("engaged")] int Engaged,
    [property: JsonPropertyName("notEngaged")] int NotEngaged,
    [property: JsonPropertyName("pending")] int Pending,
    [property: JsonPropertyName("excluded")] int Excluded,
    [property: JsonPropertyName("rate")] decimal? Rate);
