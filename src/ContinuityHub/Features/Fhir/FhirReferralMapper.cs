using System.Globalization;
using ContinuityHub.Data;
using ContinuityHub.Mappings;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using FhirTask = Hl7.Fhir.Model.Task;
using Person = ContinuityHub.Domain.Person;

namespace ContinuityHub.Features.Fhir;

/// <summary>
/// The one place where the hub's records become FHIR R4 resources (contract §5). Ids are the hub's own
/// (ServiceRequest and Task share the referral's id; Organizations are identified by ODS code), and
/// meta.versionId/lastUpdated follow the record's version, so they change exactly when the resource does.
/// Systems and codes come from mappings/ (fhir-systems.json, fhir-codes.json, the substances ConceptMap).
/// The resources are the Firely SDK's R4 POCOs, written by <see cref="FhirJson"/>.
/// </summary>
public sealed class FhirReferralMapper(ReferenceData mappings)
{
    private string System(string name) => mappings.Systems[name];

    public Patient Patient(Person person)
    {
        var identifiers = new List<Identifier>();
        if (person.NhsNumber is not null) identifiers.Add(new Identifier { System = System("nhsNumber"), Value = person.NhsNumber });
        identifiers.Add(new Identifier { System = System("nomsNumber"), Value = person.NomsNumber });
        if (person.Crn is not null) identifiers.Add(new Identifier { System = System("crn"), Value = person.Crn });
        if (person.PncNumber is not null) identifiers.Add(new Identifier { System = System("pncNumber"), Value = person.PncNumber });
        return new Patient
        {
            Id = person.Id.ToString(),
            Meta = Meta(person.UpdatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), person.UpdatedAt),
            Identifier = identifiers,
            Name = person.FamilyName is null ? [] : [new HumanName { Use = HumanName.NameUse.Official, Family = person.FamilyName, Given = person.GivenName is null ? [] : [person.GivenName] }],
            // The intake accepts only FHIR administrative-gender codes (male, female, other, unknown).
            Gender = person.Gender is null ? null : EnumUtility.ParseLiteral<AdministrativeGender>(person.Gender),
            BirthDate = person.DateOfBirth?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>A provider or a prison's healthcare team, by ODS code; null when the code is not in the mappings.</summary>
    public Organization? Organization(string odsCode)
    {
        var provider = mappings.Providers.GetValueOrDefault(odsCode);
        var prison = mappings.Prisons.Values.FirstOrDefault(p => p.HealthcareOds == odsCode);
        if (provider is null && prison is null) return null;
        var email = provider?.ContactEmail ?? prison?.HealthcareEmail;
        return new Organization
        {
            Id = odsCode,
            Identifier = [new Identifier { System = System("odsOrganizationCode"), Value = odsCode }],
            Active = true,
            Name = provider?.Name ?? $"{prison!.Name} healthcare",
            Telecom = email is null ? [] : [new ContactPoint { System = ContactPoint.ContactPointSystem.Email, Value = email }],
        };
    }

    public ServiceRequest ServiceRequest(Referral referral, Episode episode)
    {
        var alcoholOnly = episode.SubstanceGroup == "alcohol-only";
        var notes = new List<Annotation>();
        if (episode.OstMedication is not null)
            notes.Add(new Annotation { Text = $"Opioid substitution therapy: {episode.OstMedication}" +
                (episode.OstDailyDoseMg is { } dose ? $", {dose.ToString(CultureInfo.InvariantCulture)} mg daily" : "") +
                (episode.OstLastDoseDate is { } last ? $", last dose in custody {last:yyyy-MM-dd}" : "") +
                (episode.OstBridgingPrescription == true ? ", bridging prescription issued" : "") + "." });
        if (episode.NaloxoneIssued is { } naloxone) notes.Add(new Annotation { Text = naloxone ? "Naloxone issued on release." : "Naloxone not issued." });
        if (episode.InTreatmentInCustody == true) notes.Add(new Annotation { Text = "In structured treatment in custody." });
        return new ServiceRequest
        {
            Id = referral.Id.ToString(),
            Meta = Meta(referral.Version.ToString(CultureInfo.InvariantCulture), referral.UpdatedAt),
            Status = referral.TaskStatus switch
            {
                "completed" => RequestStatus.Completed,
                "rejected" or "cancelled" => RequestStatus.Revoked,
                _ => RequestStatus.Active,
            },
            Intent = RequestIntent.Order,
            Category = [Concept("patientReferral")],
            Code = Concept(alcoholOnly ? "referralToAlcoholMisuseService" : "referralToSubstanceMisuseService"),
            Subject = new ResourceReference { Reference = $"Patient/{episode.PersonId}" },
            Occurrence = new Period { Start = Date(episode.ReleaseDate), End = Date(CareWindow.Deadline(episode.ReleaseDate)) },
            AuthoredOn = FhirInstant.Text(referral.CreatedAt),
            Requester = RequesterOf(referral),
            Performer = [new ResourceReference { Reference = $"Organization/{referral.ProviderOds}" }],
            ReasonCode = episode.Substances.Select(s => mappings.SubstanceSnomed.GetValueOrDefault(s)).OfType<SnomedConcept>()
                .DistinctBy(c => c.Code).Select(c => Snomed(c.Code, c.Display)).ToList(),
            Note = notes,
        };
    }

    public FhirTask Task(Referral referral, Episode episode) => new()
    {
        Id = referral.Id.ToString(),
        Meta = Meta(referral.Version.ToString(CultureInfo.InvariantCulture), referral.UpdatedAt),
        Status = EnumUtility.ParseLiteral<FhirTask.TaskStatus>(referral.TaskStatus)
            ?? throw new InvalidOperationException($"Referral {referral.Id} has a task status that is not an R4 TaskStatus code."),
        BusinessStatus = new CodeableConcept { Text = episode.Status },
        Intent = FhirTask.TaskIntent.Order,
        Focus = new ResourceReference { Reference = $"ServiceRequest/{referral.Id}" },
        For = new ResourceReference { Reference = $"Patient/{episode.PersonId}" },
        ExecutionPeriod = episode.EngagedOn is { } engaged ? new Period { Start = Date(engaged) } : null,
        AuthoredOn = FhirInstant.Text(referral.CreatedAt),
        LastModified = FhirInstant.Text(referral.UpdatedAt),
        Requester = RequesterOf(referral),
        Owner = new ResourceReference { Reference = $"Organization/{referral.ProviderOds}" },
        Restriction = new FhirTask.RestrictionComponent { Period = new Period { End = Date(CareWindow.Deadline(episode.ReleaseDate)) } },
    };

    private ResourceReference? RequesterOf(Referral referral) =>
        referral.RequesterPrisonCode is { } prison && mappings.Prisons.TryGetValue(prison, out var known)
            ? new ResourceReference { Reference = $"Organization/{known.HealthcareOds}" }
            : null;

    private CodeableConcept Concept(string name) =>
        mappings.Codes[name] is var c ? new() { Coding = [new Coding { System = c.System, Code = c.Code, Display = c.Display }] } : new();

    private CodeableConcept Snomed(string code, string display) =>
        new() { Coding = [new Coding { System = System("snomedCt"), Code = code, Display = display }] };

    private static Meta Meta(string versionId, DateTimeOffset lastUpdated) => new() { VersionId = versionId, LastUpdated = FhirInstant.Of(lastUpdated) };

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
