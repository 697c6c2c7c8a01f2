using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ContinuityHub.Data;
using ContinuityHub.Features.Fhir;
using ContinuityHub.Mappings;
using Hl7.Fhir.Model;
using Person = ContinuityHub.Domain.Person;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.ProviderPush;

/// <summary>
/// The FHIR message Bundle for one referral version (contract §5): a MessageHeader (event from mappings/,
/// source the hub, destination the provider's endpoint, focus the ServiceRequest and Task), then the
/// ServiceRequest, Task, Patient and the Organizations they refer to, all from <see cref="FhirReferralMapper"/>.
/// Ids and the timestamp depend only on the referral and its version, so a resend is byte-for-byte the same
/// message and a provider can discard a duplicate by Bundle.id or MessageHeader.id.
/// </summary>
public sealed class ProviderMessageBuilder(FhirReferralMapper mapper, ReferenceData mappings, IOptions<Hosting.HubOptions> options)
{
    private readonly string hubBase = options.Value.ProviderPush.HubFhirBaseUrl.TrimEnd('/');

    /// <summary>Bundle.id: the referral and its version, readable in the provider's logs.</summary>
    public static string BundleId(Guid referralId, int version) => $"{referralId}-v{version.ToString(CultureInfo.InvariantCulture)}";

    public Bundle Build(Referral referral, Episode episode, Person person, TreatmentProvider provider)
    {
        var serviceRequest = mapper.ServiceRequest(referral, episode);
        var task = mapper.Task(referral, episode);
        var patient = PatientToShare(person, episode);
        var header = new MessageHeader
        {
            Id = StableUuid(referral.Id, referral.Version).ToString(),
            Event = Event(referral.Version == 1 ? "messageEventReferralNew" : "messageEventReferralUpdated"),
            Destination = [new MessageHeader.MessageDestinationComponent
            {
                Name = provider.Name,
                Endpoint = provider.FhirEndpoint!.AbsoluteUri,
                Receiver = new ResourceReference { Reference = $"Organization/{provider.OdsCode}" },
            }],
            Source = new MessageHeader.MessageSourceComponent { Name = "ContinuityHub", Software = "ContinuityHub", Endpoint = hubBase },
            Focus = [new ResourceReference { Reference = $"ServiceRequest/{referral.Id}" }, new ResourceReference { Reference = $"Task/{referral.Id}" }],
        };

        var entries = new List<Bundle.EntryComponent>
        {
            new() { FullUrl = $"urn:uuid:{header.Id}", Resource = header },
            Entry(serviceRequest),
            Entry(task),
            Entry(patient),
        };
        // The Organizations the ServiceRequest and Task point at, so the message is readable on its own.
        var organizations = new[] { referral.ProviderOds, RequesterOds(referral) }.OfType<string>().Distinct()
            .Select(mapper.Organization).OfType<Organization>();
        entries.AddRange(organizations.Select(Entry));

        return new Bundle
        {
            Id = BundleId(referral.Id, referral.Version),
            Type = Bundle.BundleType.Message,
            Timestamp = FhirInstant.Of(referral.UpdatedAt),
            Entry = entries,
        };
    }

    /// <summary>
    /// The Patient as the hub serves it; once consent to share is no longer given (a cancellation after
    /// consent was withdrawn), only the identifiers the provider already holds, to say whose referral ended.
    /// </summary>
    private Patient PatientToShare(Person person, Episode episode)
    {
        var patient = mapper.Patient(person);
        if (episode.ConsentToShare == true) return patient;
        return new Patient { Id = patient.Id, Meta = patient.Meta, Identifier = patient.Identifier };
    }

    private string? RequesterOds(Referral referral) =>
        referral.RequesterPrisonCode is { } prison && mappings.Prisons.TryGetValue(prison, out var known) ? known.HealthcareOds : null;

    private Bundle.EntryComponent Entry(Resource resource) => new() { FullUrl = $"{hubBase}/{resource.TypeName}/{resource.Id}", Resource = resource };

    private Coding Event(string name) => mappings.Codes[name] is var c ? new Coding { System = c.System, Code = c.Code, Display = c.Display } : new Coding();

    /// <summary>A name-based UUID (RFC 9562 version 8, from SHA-256) of the referral and version: the MessageHeader.id.</summary>
    internal static Guid StableUuid(Guid referralId, int version)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"continuityhub:provider-message:{referralId:D}:{version.ToString(CultureInfo.InvariantCulture)}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
