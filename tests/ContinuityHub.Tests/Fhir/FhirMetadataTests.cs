using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Features.Fhir;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.Fhir;

/// <summary>The CapabilityStatement says exactly what the server's routes do, and is valid R4.</summary>
public sealed class FhirMetadataTests(HubFactory hub) : IClassFixture<HubFactory>
{
    [Fact]
    public async Task The_capability_statement_lists_exactly_the_fhir_routes_that_exist_and_passes_the_schema()
    {
        var response = await hub.CreateClient().GetAsync("/fhir/metadata"); // public, like any FHIR server's
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        var errors = FhirValidator.Validate(json);
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        var statement = JsonDocument.Parse(json).RootElement;
        var declared = statement.GetProperty("rest")[0].GetProperty("resource").EnumerateArray()
            .SelectMany(r => r.GetProperty("interaction").EnumerateArray().Select(i => $"{r.GetProperty("type").GetString()} {i.GetProperty("code").GetString()}")
                .Concat(r.TryGetProperty("operation", out var operations)
                    ? operations.EnumerateArray().Select(o => $"{r.GetProperty("type").GetString()} ${o.GetProperty("name").GetString()}")
                    : []))
            .Order().ToList();

        var routes = hub.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/fhir/") == true && e.RoutePattern.RawText != "/fhir/metadata")
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(method =>
            {
                var type = e.RoutePattern.RawText!.Split('/')[2];
                // An operation route (/fhir/Measure/{id}/$evaluate-measure) is declared as the resource's operation.
                if (e.RoutePattern.RawText.Split('/')[^1] is ['$', ..] operation) return $"{type} {operation}";
                var instance = e.RoutePattern.RawText.EndsWith("{id}", StringComparison.Ordinal);
                return $"{type} {(method, instance) switch { ("GET", true) => "read", ("PUT", true) => "update", ("GET", false) => "search-type", ("POST", false) => "create", _ => method }}";
            }))
            .Order().ToList();

        Assert.Equal(routes, declared);
    }

    [Fact]
    public async Task An_unexpected_failure_under_fhir_is_an_OperationOutcome_with_the_correlation_id_and_no_internals()
    {
        var created = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("referralId").GetGuid();
        TestPostgres.Execute(hub.ConnectionString, """
            CREATE FUNCTION fail_fhir_reads() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.action = 'fhir.read' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END; $$;
            CREATE TRIGGER fail_fhir_reads BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_fhir_reads();
            """);

        var response = await hub.ClientFor(ContinuityHub.Security.HubRoles.TreatmentProvider, ods: "EXS2SN").GetAsync($"/fhir/ServiceRequest/{id}");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Empty(FhirValidator.Validate(text));
        var issue = JsonDocument.Parse(text).RootElement.GetProperty("issue")[0];
        Assert.Equal("exception", issue.GetProperty("code").GetString());
        Assert.Contains(response.Headers.GetValues("X-Correlation-Id").Single(), issue.GetProperty("diagnostics").GetString());
        Assert.DoesNotContain("injected", text);
    }
}
