
namespace ContinuityHub.Features.Fhir;

/// <summary>
/// The FHIR R4 API (contract §5) as one route group under /fhir: every interaction is mapped here, every
/// request passes the same content negotiation (JSON only: 406, 415), and every error answer is an
/// OperationOutcome, whether an endpoint writes it or the framework raises it (<see cref="FhirProblemWriter"/>).
/// </summary>
public static class FhirApi
{
    public static void AddFhir(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FhirReferralMapper>();
        // First among the problem writers: the default one would otherwise answer /fhir with problem+json.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, FhirProblemWriter>());
    }

    /// <summary>
    /// Maps the FHIR interactions of this folder on the /fhir group and returns the group, on which other features map
    /// theirs (the measure's, <c>MapMeasureFhir</c>): they depend on this seam, it does not depend on them.
    /// </summary>
    public static RouteGroupBuilder MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(FhirProblemWriter.PathPrefix).WithTags("FHIR").AddEndpointFilter<FhirContentNegotiation>();
        fhir.MapFhirMetadata();
        fhir.MapFhirReads();
        fhir.MapFhirSearches();
        fhir.MapFhirTaskUpdate();
        return fhir;
    }
}
