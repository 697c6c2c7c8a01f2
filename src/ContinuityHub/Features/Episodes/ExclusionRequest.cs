namespace ContinuityHub.Features.Episodes;

/// <summary>
/// The body of <c>POST /api/v1/episodes/{id}/exclusion</c>, for the OpenAPI document (the endpoint reads the JSON
/// field by field). <paramref name="Reason"/>: died, returnedToCustody, removedFromUk or hospital.
/// </summary>
public sealed record ExclusionRequest(string Reason, DateOnly Date);
