using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using ContinuityHub.Features.Releases;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.Platform;

/// <summary>The OpenAPI document describes every /api endpoint the hub maps, with its schemas, problems and the bearer scheme.</summary>
public sealed class OpenApiTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private async Task<JsonElement> DocumentAsync()
    {
        var response = await hub.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Every /api route the app maps, with its HTTP methods, as the OpenAPI document names paths (constraints dropped).</summary>
    private IEnumerable<(string Path, string Method)> MappedApiOperations() =>
        hub.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (Path: OpenApiPath(e.RoutePattern.RawText!), Method: method.ToLowerInvariant())));

    private static string OpenApiPath(string routeTemplate) =>
        System.Text.RegularExpressions.Regex.Replace(routeTemplate.TrimEnd('/'), @"\{([^}:?]+)[^}]*\}", "{$1}");

    /// <summary>Operations that take no body by design.</summary>
    private static readonly HashSet<string> Bodiless = ["POST /api/v1/referrals/{referralId}/accept"];

    [Fact]
    public async Task Every_mapped_api_endpoint_is_in_the_document_with_an_answer_schema_problems_and_the_bearer_scheme()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        var mapped = MappedApiOperations().ToList();
        Assert.NotEmpty(mapped);
        var missing = new List<string>();
        foreach (var (path, method) in mapped)
        {
            if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method, out var operation))
            {
                missing.Add($"{method.ToUpperInvariant()} {path} is not in /openapi/v1.json");
                continue;
            }
            var responses = operation.GetProperty("responses");
            var success = responses.EnumerateObject().Where(r => r.Name.StartsWith('2')).ToList();
            if (!success.Any(r => r.Value.TryGetProperty("content", out var content) && content.EnumerateObject().Any(c => c.Value.TryGetProperty("schema", out _))))
                missing.Add($"{method.ToUpperInvariant()} {path} has no 2xx answer with a schema: add .Produces<T>() where it is mapped");
            foreach (var status in new[] { "401", "403" })
                if (!responses.TryGetProperty(status, out _)) missing.Add($"{method.ToUpperInvariant()} {path} lacks its {status} problem");
            if (!operation.TryGetProperty("security", out _)) missing.Add($"{method.ToUpperInvariant()} {path} names no security scheme");
            if (method is "post" or "put" && !Bodiless.Contains($"{method.ToUpperInvariant()} {path}") && (!operation.TryGetProperty("requestBody", out var body) || !body.GetProperty("content").EnumerateObject().Any()))
                missing.Add($"{method.ToUpperInvariant()} {path} has no request body schema: add .Accepts<T>(contentType) where it is mapped");
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public async Task The_document_declares_the_bearer_scheme_and_describes_nothing_outside_the_api()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.All(document.GetProperty("paths").EnumerateObject(), path => Assert.StartsWith("/api/v1/", path.Name));
    }

    [Fact]
    public void The_documented_notification_schema_holds_the_contracts_example_member_for_member()
    {
        var example = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "examples", "release-notification.json"));
        var strict = new JsonSerializerOptions(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

        var parsed = JsonSerializer.Deserialize<ReleaseNotificationSchema>(example, strict)!;

        Assert.Equal("A1234BC", parsed.Person.NomsNumber);
        Assert.Equal(60m, parsed.TreatmentNeed.Ost!.DailyDoseMg);
        Assert.Equal("N56NNE", parsed.Contacts!.ProbationPractitioner!.PduCode);
    }

    [Fact]
    public async Task The_api_reference_page_answers_without_a_token_and_reads_the_document()
    {
        var response = await hub.CreateClient().GetAsync("/api-docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync());
    }
}
