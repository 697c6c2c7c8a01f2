using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Security;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Features.Fhir;

/// <summary>
/// Reads under /fhir (contract §5): application/fhir+json, an ETag of the version, OperationOutcome for
/// every refusal. A person's data is shown only to those the contract lets see it, and every such read is audited.
/// </summary>
public static class FhirReadEndpoints
{
    /// <summary>Maps the reads on the /fhir group (<see cref="FhirApi"/>).</summary>
    public static void MapFhirReads(this IEndpointRouteBuilder fhir)
    {
        fhir.MapGet("/ServiceRequest/{id}", (string id, HttpContext context, HubDbContext db, FhirReferralMapper mapper, AuditTrail audit, CancellationToken ct) =>
            ReadReferral(id, "ServiceRequest", context, db, audit, (r, e) => mapper.ServiceRequest(r, e), ct))
            .AuditsRefusedReads("fhir.read", "ServiceRequest", "id");
        fhir.MapGet("/Task/{id}", (string id, HttpContext context, HubDbContext db, FhirReferralMapper mapper, AuditTrail audit, CancellationToken ct) =>
            ReadReferral(id, "Task", context, db, audit, (r, e) => mapper.Task(r, e), ct))
            .AuditsRefusedReads("fhir.read", "Task", "id");
        fhir.MapGet("/Patient/{id}", ReadPatient).AuditsRefusedReads("fhir.read", "Patient", "id");
        fhir.MapGet("/Organization/{id}", (string id, FhirReferralMapper mapper) =>
            mapper.Organization(id) is { } organization ? Fhir(organization, null) : NotFound("Organization", id));
        fhir.MapGet("/ConceptMap/{id}", (string id, Mappings.ReferenceData mappings) =>
            mappings.ConceptMaps.FirstOrDefault(m => m.Id == id) is { } map ? Fhir(map, map.Version) : NotFound("ConceptMap", id));
    }

    private static async Task<IResult> ReadReferral(string id, string type, HttpContext context, HubDbContext db, AuditTrail audit,
        Func<Referral, Episode, Resource> map, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var referralId)) return NotFound(type, id);
        var referral = await db.Referrals.AsNoTracking().Include(r => r.Episode).SingleOrDefaultAsync(r => r.Id == referralId, ct);
        if (referral is null) return NotFound(type, id);
        if (!CallerScope.Of(HubUser.From(context)).MaySee(referral.Episode!, referral))
            return Refusal(StatusCodes.Status403Forbidden, "forbidden", $"This {type} is outside your token's scope.");
        audit.Record("fhir.read", type, id);
        await db.SaveChangesAsync(ct);
        return Fhir(map(referral, referral.Episode!), referral.Version.ToString());
    }

    private static async Task<IResult> ReadPatient(string id, HttpContext context, HubDbContext db, FhirReferralMapper mapper, AuditTrail audit, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var personId)) return NotFound("Patient", id);
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null) return NotFound("Patient", id);
        // The Patient is shown to whoever may see one of the person's episodes.
        if (!await CallerScope.Of(HubUser.From(context)).Episodes(db).AnyAsync(e => e.PersonId == personId, ct))
            return Refusal(StatusCodes.Status403Forbidden, "forbidden", "This Patient is outside your token's scope.");
        audit.Record("fhir.read", "Patient", id);
        await db.SaveChangesAsync(ct);
        var patient = mapper.Patient(person);
        return Fhir(patient, patient.Meta?.VersionId);
    }

    private static IResult Fhir(Resource resource, string? version) => Resource(resource, version);

    public static IResult Resource(Resource resource, string? version) => new FhirResult(resource, StatusCodes.Status200OK, version);

    private static IResult NotFound(string type, string id) =>
        Refusal(StatusCodes.Status404NotFound, "not-found", $"{type}/{(id.Length <= 64 ? id : id[..64])} is not known.");

    /// <summary>An OperationOutcome with one error issue; <paramref name="code"/> is an R4 IssueType code.</summary>
    public static IResult Refusal(int status, string code, string diagnostics, params string[] expression) =>
        new FhirResult(FhirOutcome.Error(code, diagnostics, expression), status);
}
