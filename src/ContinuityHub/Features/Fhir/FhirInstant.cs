using Hl7.Fhir.Model;

namespace ContinuityHub.Features.Fhir;

/// <summary>
/// Points in time in the hub's FHIR: UTC, to the millisecond (the database keeps microseconds; FHIR readers
/// commonly keep milliseconds, and a message must read the same on every resend), written as the Firely SDK
/// writes instants, e.g. <c>2026-11-20T14:30:00.12+00:00</c>, whether the element is an instant or a dateTime.
/// </summary>
public static class FhirInstant
{
    /// <summary>For instant elements (meta.lastUpdated, Bundle.timestamp).</summary>
    public static DateTimeOffset Of(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMillisecond));
    }

    /// <summary>For dateTime elements (authoredOn, lastModified, MeasureReport.date).</summary>
    public static string Text(DateTimeOffset instant) => new FhirDateTime(Of(instant)).Value!;
}
