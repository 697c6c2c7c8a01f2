using ContinuityHub.Fhir;
using FhirTask = ContinuityHub.Fhir.Task;

namespace ContinuityHub.Tests.Fhir;

/// <summary>
/// The model library on its own: realistic instances of the resource types the hub will emit (a provider
/// message, the measure and its report) are valid R4 and survive a JSON round trip unchanged.
/// </summary>
public sealed class FhirModelTests
{
    private static CodeableConcept Code(string system, string code) => new() { Coding = [new Coding { System = system, Code = code }] };
    private const string MeasurePopulation = "http://terminology.hl7.org/CodeSystem/measure-population";

    private static IEnumerable<Resource> Examples()
    {
        var request = new ServiceRequest
        {
            Id = "r1", Status = "active", Intent = "order",
            Subject = new ResourceReference { Reference = "Patient/p1" },
            OccurrencePeriod = new Period { Start = "2026-12-01", End = "2026-12-22" },
        };
        var task = new FhirTask
        {
            Id = "r1", Status = "requested", Intent = "order",
            Focus = new ResourceReference { Reference = "ServiceRequest/r1" },
            Owner = new ResourceReference { Reference = "Organization/EXS2SN" },
            Restriction = new FhirTask.RestrictionComponent { Period = new Period { End = "2026-12-22" } },
        };
        var patient = new Patient { Id = "p1", Identifier = [new Identifier { System = "https://fhir.nhs.uk/Id/nhs-number", Value = "9434765919" }] };
        yield return new Bundle
        {
            Id = "m1", Type = "message", Timestamp = "2026-11-22T10:00:00.000Z",
            Entry =
            [
                new Bundle.EntryComponent
                {
                    FullUrl = "urn:uuid:0193f0a0-0000-7000-8000-0000000000aa",
                    Resource = new MessageHeader
                    {
                        Id = "h1",
                        EventCoding = new Coding { System = "https://continuityhub.example.org/CodeSystem/message-event", Code = "referral-new" },
                        Destination = [new MessageHeader.DestinationComponent { Name = "S2S North", Endpoint = "https://provider.example.org/fhir/$process-message" }],
                        Source = new MessageHeader.SourceComponent { Name = "ContinuityHub", Endpoint = "https://hub.example.org/fhir" },
                        Focus = [new ResourceReference { Reference = "ServiceRequest/r1" }, new ResourceReference { Reference = "Task/r1" }],
                    },
                },
                new Bundle.EntryComponent { FullUrl = "https://hub.example.org/fhir/ServiceRequest/r1", Resource = request },
                new Bundle.EntryComponent { FullUrl = "https://hub.example.org/fhir/Task/r1", Resource = task },
                new Bundle.EntryComponent { FullUrl = "https://hub.example.org/fhir/Patient/p1", Resource = patient },
            ],
        };
        yield return new Measure
        {
            Id = "continuity-of-care-21-days", Url = "https://continuityhub.example.org/Measure/continuity-of-care-21-days",
            Name = "ContinuityOfCare21Days", Status = "active",
            Scoring = Code("http://terminology.hl7.org/CodeSystem/measure-scoring", "proportion"),
            Group =
            [
                new Measure.GroupComponent
                {
                    Population = new[] { "initial-population", "denominator", "denominator-exclusion", "numerator" }.Select(p => new Measure.PopulationComponent
                    {
                        Code = Code(MeasurePopulation, p),
                        Criteria = new Expression { Language = "text/fhirpath", ExpressionText = p },
                    }).ToList(),
                    Stratifier = [new Measure.StratifierComponent { Code = new CodeableConcept { Text = "prison" }, Criteria = new Expression { Language = "text/fhirpath", ExpressionText = "prison" } }],
                },
            ],
        };
        yield return new MeasureReport
        {
            Id = "report-1", Status = "complete", Type = "summary", Measure = "https://continuityhub.example.org/Measure/continuity-of-care-21-days",
            Date = "2026-11-22", Period = new Period { Start = "2025-04-01", End = "2026-03-31" },
            Group =
            [
                new MeasureReport.GroupComponent
                {
                    Population = [new MeasureReport.PopulationComponent { Code = Code(MeasurePopulation, "denominator"), Count = 1188 },
                                  new MeasureReport.PopulationComponent { Code = Code(MeasurePopulation, "numerator"), Count = 800 }],
                    MeasureScore = new Quantity { Value = 0.6734m },
                    Stratifier =
                    [
                        new MeasureReport.StratifierComponent
                        {
                            Code = [new CodeableConcept { Text = "prison" }],
                            Stratum = [new MeasureReport.StratumComponent { Value = new CodeableConcept { Text = "ONI" }, MeasureScore = new Quantity { Value = 0.7m } }],
                        },
                    ],
                },
            ],
        };
        yield return OperationOutcome.Error("business-rule", "a rejected referral cannot become accepted.", "Task.status");
    }

    [Fact]
    public void Message_measure_report_and_outcome_examples_are_valid_R4()
    {
        var json = Examples().Select(FhirJson.Serialize).ToList();
        var results = FhirSchemaValidator.Validate(json);
        Assert.All(results.Select((errors, i) => (errors, i)), r => Assert.True(r.errors.Count == 0, $"{json[r.i]}\n  {string.Join("\n  ", r.errors)}"));
    }

    [Fact]
    public void Resources_round_trip_through_json_unchanged_with_resourceType_first_and_no_nulls_or_empty_arrays()
    {
        foreach (var resource in Examples())
        {
            var json = FhirJson.Serialize(resource);
            Assert.StartsWith($"{{\"resourceType\":\"{resource.TypeName}\"", json);
            Assert.DoesNotContain("null", json);
            Assert.DoesNotContain("[]", json);
            Assert.Equal(json, FhirJson.Serialize(FhirJson.Deserialize<Resource>(json)!));
        }
        Assert.DoesNotContain("[]", FhirJson.Serialize(new Patient { Id = "x", Identifier = [] }));
    }
}
