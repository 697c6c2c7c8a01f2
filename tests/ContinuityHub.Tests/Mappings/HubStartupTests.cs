using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace ContinuityHub.Tests.Mappings;

/// <summary>
/// Contract §8: a bad mappings folder stops the hub at start-up with a message naming the file, entry and problem.
/// </summary>
/// <remarks>
/// Program.cs catches <c>MappingsInvalidException</c> around <c>app.RunAsync()</c>, writes
/// "ContinuityHub cannot start: …" to standard error and returns exit code 1 (contract §2: one clear message, no
/// stack trace). Because the entry point then ends normally, WebApplicationFactory cannot see the original
/// exception: creating a client fails with an ObjectDisposedException about the disposed service provider. So these
/// tests assert that start-up fails, and read the operator's message where an operator reads it: standard error and
/// the hub's log (which records the start-up failure with the exception).
/// </remarks>
public sealed class HubStartupTests
{
    /// <summary>The whole hub (real PostgreSQL) pointed at another mappings folder.</summary>
    private sealed class HubWithMappings(string mappingsDirectory, string? environment = null, string? authority = null) : HubFactory
    {
        private bool _startFailed;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Hub:MappingsDirectory", mappingsDirectory);
            if (environment is not null) builder.UseEnvironment(environment);
            if (authority is not null) builder.UseSetting("Hub:Auth:Authority", authority);
        }

        /// <summary>Starts the hub expecting it to refuse; what it wrote to standard error meanwhile.</summary>
        public string StartExpectingFailure()
        {
            var original = Console.Error;
            var captured = new StringWriter();
            Console.SetError(new TeeWriter(original, captured));
            try
            {
                Assert.ThrowsAny<Exception>(() => CreateClient());
                _startFailed = true;
            }
            finally
            {
                Console.SetError(original);
            }
            return captured.ToString();
        }

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await base.DisposeAsync();
            }
            catch (ArgumentNullException) when (_startFailed)
            {
                // WebApplicationFactory cannot stop a host whose start-up threw (Host.StopAsync finds no hosted
                // services); nothing is running, so only the data folder is left to remove.
                try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>Writes to both writers, so captured output still reaches the test log.</summary>
    private sealed class TeeWriter(TextWriter first, TextWriter second) : TextWriter
    {
        public override Encoding Encoding => first.Encoding;
        public override void Write(char value) { first.Write(value); second.Write(value); }
        public override void Write(string? value) { first.Write(value); second.Write(value); }
        public override void WriteLine(string? value) { first.WriteLine(value); second.WriteLine(value); }
    }

    [Fact]
    public async Task The_hub_starts_on_an_unbroken_copy_of_the_mappings()
    {
        using var copy = new MappingsLoaderTests.MappingsCopy();
        await using var hub = new HubWithMappings(copy.Path);

        var response = await hub.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Outside_Development_a_plain_http_provider_endpoint_stops_the_start_up_naming_the_file_and_entry()
    {
        using var copy = new MappingsLoaderTests.MappingsCopy();
        copy.Edit("providers.json", root => root["providers"]![1]!["fhirEndpoint"] = "http://provider.example/fhir/$process-message");
        await using var issuer = await OidcIssuerStub.StartAsync();
        await using var hub = new HubWithMappings(copy.Path, "Production", issuer.Url);

        var stderr = hub.StartExpectingFailure();

        Assert.Contains("providers.json: providers[1] (EXS2SN): 'fhirEndpoint' must be https outside the Development environment", stderr);
    }

    [Fact]
    public async Task The_hub_refuses_to_start_on_a_bad_mappings_folder_and_names_the_file_and_entry()
    {
        using var copy = new MappingsLoaderTests.MappingsCopy();
        copy.Edit("providers.json", root => root["providers"]![1]!["localAuthorities"] = new JsonArray("E06000099"));
        await using var hub = new HubWithMappings(copy.Path);

        var stderr = hub.StartExpectingFailure();

        const string unknownAuthority = "providers.json: providers[1] (EXS2SN): local authority E06000099 is not in local-authorities.json.";
        const string uncovered = "providers.json: no provider covers local authority E06000061";
        Assert.Contains("ContinuityHub cannot start: The mappings are invalid:", stderr);
        Assert.Contains(unknownAuthority, stderr);
        Assert.Contains(uncovered, stderr);
        var failure = Assert.Single(hub.Log.Lines, l => l.Contains("\"HostedServiceStartupFaulted\"", StringComparison.Ordinal));
        var exception = JsonNode.Parse(failure)!["Exception"]!.GetValue<string>();
        Assert.StartsWith("ContinuityHub.Mappings.MappingsInvalidException: The mappings are invalid:", exception);
        Assert.Contains(unknownAuthority, exception);
        Assert.Contains(uncovered, exception);
    }

    [Fact]
    public async Task The_hub_refuses_to_start_on_a_mappings_file_that_is_not_json()
    {
        using var copy = new MappingsLoaderTests.MappingsCopy();
        File.WriteAllText(copy.File("conceptmaps/nomis-movement-reasons.json"),
            "{\n  \"resourceType\": \"ConceptMap\",\n  \"group\": [\n    { \"element\": [ { \"code\": \"HD\" \"target\": [] } ] }\n  ]\n}\n");
        await using var hub = new HubWithMappings(copy.Path);

        var stderr = hub.StartExpectingFailure();

        Assert.Contains("ContinuityHub cannot start: The mappings are invalid:", stderr);
        Assert.Contains("conceptmaps/nomis-movement-reasons.json: not valid JSON at line 4", stderr);
    }

    [Fact]
    public async Task The_hub_refuses_to_start_on_a_missing_mappings_folder()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-mappings-{Guid.NewGuid():N}");
        await using var hub = new HubWithMappings(missing);

        var stderr = hub.StartExpectingFailure();

        Assert.Contains($"ContinuityHub cannot start: The mappings are invalid:\n  {missing}: the mappings folder does not exist", stderr);
    }
}
