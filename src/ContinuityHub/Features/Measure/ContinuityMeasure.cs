using ContinuityHub.Mappings;
using Hl7.Fhir.Model;
using FhirMeasure = Hl7.Fhir.Model.Measure;

namespace ContinuityHub.Features.Measure;

/// <summary>
/// The measure of contract §7 as FHIR R4: the <c>Measure</c> definition, and an <see cref="EngagementReport"/>
/// as a summary <c>MeasureReport</c>. Proportion scoring: the numerator (engaged) over the denominator less its
/// exclusions. The denominator is the cohort whose outcome is decided (engaged, not engaged or excluded), so
/// a pending person is in the initial population only and the score equals the report's <c>rate</c>.
/// </summary>
public static class ContinuityMeasure
{
    public const string Id = EngagementReportService.MeasureName;
    public const string Url = "https://continuityhub.example.org/Measure/" + Id;
    public const string Version = "1.0.0";
    public const string PopulationSystem = "http://terminology.hl7.org/CodeSystem/measure-population";
    public const string StratifierSystem = "https://continuityhub.example.org/CodeSystem/measure-stratifier";

    public const string InitialPopulation = "initial-population";
    public const string Denominator = "denominator";
    public const string DenominatorExclusion = "denominator-exclusion";
    public const string Numerator = "numerator";

    private static CodeableConcept Code(string system, string code, string? display = null) =>
        new() { Coding = [new Coding { System = system, Code = code, Display = display }] };

    /// <summary>
    /// A criterion named as a CQL definition would be ("Initial Population", …), as R4 measures do, with the rule in
    /// words. The hub evaluates the rules in SQL (EngagementReportService), so the Measure ships no CQL Library.
    /// </summary>
    private static Expression Criteria(string definition, string description) =>
        new() { Language = "text/cql", Expression_ = definition, Description = description };

    private static readonly Dictionary<string, string> StratifierDescriptions = new()
    {
        [ReportGroupings.Prison] = "The releasing prison (HMPPS agency code).",
        [ReportGroupings.LocalAuthority] = "The local authority of the release address (ONS code), from the postcode when not given.",
        [ReportGroupings.Provider] = "The community treatment provider referred to (ODS code).",
        [ReportGroupings.SubstanceGroup] = "opiate / non-opiate only / non-opiate and alcohol / alcohol only, from the substances of the treatment need.",
        [ReportGroupings.Month] = "The calendar month of the release date (yyyy-MM, Europe/London).",
    };

    public static FhirMeasure Definition(decimal target) => new()
    {
        Id = Id,
        Url = Url,
        Version = Version,
        Name = "ContinuityOfCare21Days",
        Title = "Continuity of care: prison leavers engaged in community treatment within 21 days",
        Status = PublicationStatus.Active,
        Experimental = false,
        Date = "2026-11-30",
        Publisher = "ContinuityHub",
        Description = "Of the people released from prison to the community with a substance misuse treatment need, the share whose " +
                      $"first engagement with community treatment is on day 0 to day {CareWindow.EngageDays} after release " +
                      $"(Europe/London calendar dates). The target is {target:0.##}.",
        Subject = Code("http://hl7.org/fhir/resource-types", "Patient", "Patient"),
        Scoring = Code("http://terminology.hl7.org/CodeSystem/measure-scoring", "proportion", "Proportion"),
        Rationale = "Prison leavers who start community treatment quickly are less likely to die of an overdose or reoffend; " +
                    "the Combating Drugs Partnerships steer by this rate against the 75% ambition.",
        ImprovementNotation = Code("http://terminology.hl7.org/CodeSystem/measure-improvement-notation", "increase", "Increased score indicates improvement"),
        Guidance = "Computed from the dates in the records, never from when they were entered: a late engagement dated inside the " +
                   "window counts, and a late exclusion still excludes. A person whose window is still open on the evaluation date and " +
                   "who has neither engaged nor been excluded is pending: in the initial population, not yet in the denominator. " +
                   "The hub's docs/measure.md gives the rules with worked examples.",
        Group =
        [
            new FhirMeasure.GroupComponent
            {
                Code = Code(StratifierSystem, Id),
                Description = "All releases in the measurement period (by release date).",
                Population =
                [
                    new FhirMeasure.PopulationComponent
                    {
                        Code = Code(PopulationSystem, InitialPopulation, "Initial Population"),
                        Description = "The cohort: episodes with a confirmed community release in the period and a known treatment need.",
                        Criteria = Criteria("Initial Population", "Confirmed community release with release date in the period and on or before the evaluation date, and a treatment need"),
                    },
                    new FhirMeasure.PopulationComponent
                    {
                        Code = Code(PopulationSystem, Denominator, "Denominator"),
                        Description = "The cohort whose outcome is decided: engaged, excluded, or not engaged with the window closed.",
                        Criteria = Criteria("Denominator", "Initial population, except those neither engaged nor excluded whose 21-day window is still open"),
                    },
                    new FhirMeasure.PopulationComponent
                    {
                        Code = Code(PopulationSystem, DenominatorExclusion, "Denominator Exclusion"),
                        Description = "Died, back in custody, removed from the UK or released to hospital on or before day 21, without having engaged on or before that day.",
                        Criteria = Criteria("Denominator Exclusion", "Exclusion dated on or before release date + 21 days, and no engagement on or before the exclusion date"),
                    },
                    new FhirMeasure.PopulationComponent
                    {
                        Code = Code(PopulationSystem, Numerator, "Numerator"),
                        Description = "First engagement on day 0 to day 21 after release.",
                        Criteria = Criteria("Numerator", "Engagement date between the release date and release date + 21 days inclusive, not excluded"),
                    },
                ],
                Stratifier = ReportGroupings.All.Select(by => new FhirMeasure.StratifierComponent
                {
                    Code = StratifierCode(by),
                    Description = StratifierDescriptions[by],
                    Criteria = Criteria(char.ToUpperInvariant(by[0]) + by[1..], StratifierDescriptions[by]),
                }).ToList(),
            },
        ],
    };

    public static CodeableConcept StratifierCode(string by) => new() { Coding = [new Coding { System = StratifierSystem, Code = by }], Text = by };

    /// <summary>The report as a summary MeasureReport: the same counts, group for group.</summary>
    public static MeasureReport Report(EngagementReport report, DateTimeOffset generatedAt, ReferenceData mappings) => new()
    {
        Status = MeasureReport.MeasureReportStatus.Complete,
        Type = MeasureReport.MeasureReportType.Summary,
        Measure = $"{Url}|{Version}",
        Date = Fhir.FhirInstant.Text(generatedAt),
        Period = new Period { Start = report.From.ToString("yyyy-MM-dd"), End = report.To.ToString("yyyy-MM-dd") },
        ImprovementNotation = Code("http://terminology.hl7.org/CodeSystem/measure-improvement-notation", "increase"),
        Group =
        [
            new MeasureReport.GroupComponent
            {
                Code = Code(StratifierSystem, Id),
                Population = Populations(report.Cohort, report.Pending, report.Excluded, report.Engaged),
                MeasureScore = Score(report.Rate),
                Stratifier = report.Groups.GroupBy(g => g.By).Select(stratifier => new MeasureReport.StratifierComponent
                {
                    Code = [StratifierCode(stratifier.Key)],
                    Stratum = stratifier.Select(g => new MeasureReport.StratifierGroupComponent
                    {
                        Value = new CodeableConcept
                        {
                            Coding = [new Coding { System = g.Key == ReportGroupings.UnknownKey ? null : ValueSystem(g.By, mappings), Code = g.Key, Display = g.Label }],
                            Text = g.Key,
                        },
                        Population = Populations(g.Cohort, g.Pending, g.Excluded, g.Engaged)
                            .Select(p => new MeasureReport.StratifierGroupPopulationComponent { Code = p.Code, Count = p.Count }).ToList(),
                        MeasureScore = Score(g.Rate),
                    }).ToList(),
                }).ToList(),
            },
        ],
    };

    private static List<MeasureReport.PopulationComponent> Populations(int cohort, int pending, int excluded, int engaged) =>
    [
        new() { Code = Code(PopulationSystem, InitialPopulation), Count = cohort },
        new() { Code = Code(PopulationSystem, Denominator), Count = cohort - pending },
        new() { Code = Code(PopulationSystem, DenominatorExclusion), Count = excluded },
        new() { Code = Code(PopulationSystem, Numerator), Count = engaged },
    ];

    private static Quantity? Score(decimal? rate) => rate is { } r ? new Quantity { Value = r } : null;

    /// <summary>The code system of a stratum's key, where the hub has one (fhir-systems.json).</summary>
    private static string? ValueSystem(string by, ReferenceData mappings) => by switch
    {
        ReportGroupings.Prison => mappings.Systems.GetValueOrDefault("prisonCode"),
        ReportGroupings.Provider => mappings.Systems.GetValueOrDefault("odsOrganizationCode"),
        ReportGroupings.SubstanceGroup => mappings.Systems.GetValueOrDefault("substanceGroup"),
        _ => null,
    };
}
