using Hl7.Fhir.Model;

namespace ContinuityHub.Features.Fhir;

/// <summary>Writes a FHIR resource (or an OperationOutcome) as application/fhir+json, with its version as a weak ETag.</summary>
public sealed class FhirResult(Resource resource, int status, string? version = null) : IResult
{
    public async System.Threading.Tasks.Task ExecuteAsync(HttpContext context)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = FhirJson.MediaType + "; charset=utf-8";
        if (version is not null) context.Response.Headers.ETag = $"W/\"{version}\"";
        await context.Response.WriteAsync(FhirJson.Serialize(resource), context.RequestAborted);
    }
}
