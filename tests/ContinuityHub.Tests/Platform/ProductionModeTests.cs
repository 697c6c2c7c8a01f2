using System.Net;
using System.Net.Http.Headers;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Platform;

/// <summary>
/// Production is not development (issue 12, item 5): the local signing key, dev-token and /dev/signin exist only in
/// the Development environment; any other environment needs an identity provider or does not start.
/// </summary>
public sealed class ProductionModeTests : IAsyncLifetime
{
    private OidcIssuerStub issuer = null!;

    public async Task InitializeAsync() => issuer = await OidcIssuerStub.StartAsync();

    public async Task DisposeAsync() => await issuer.DisposeAsync();


    [Fact]
    public async Task Outside_Development_without_an_identity_provider_the_hub_refuses_to_start_with_one_message()
    {
        var data = Directory.CreateTempSubdirectory("hub-production-").FullName;
        await using var hub = HubProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Hub"] = TestPostgres.CreateDatabase(),
            ["Hub__DataDirectory"] = data,
            ["Urls"] = $"http://127.0.0.1:{HubProcess.FreePort()}",
        });

        Assert.Equal(1, await hub.WaitForExitAsync());
        var error = hub.StandardError;
        Assert.StartsWith("ContinuityHub cannot start: no identity provider is configured.", error);
        Assert.Contains("Hub__Auth__Authority", error);
        Assert.Contains("ASPNETCORE_ENVIRONMENT=Development", error);
        Assert.DoesNotContain("   at ", error); // one clear message, no stack trace
        Assert.False(File.Exists(Path.Combine(data, DevelopmentSigningKey.FileName)), "a production hub created the development signing key");
        Directory.Delete(data, recursive: true);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task The_dev_token_command_refuses_outside_Development(string environment)
    {
        var data = Directory.CreateTempSubdirectory("hub-production-").FullName;
        await using var command = HubProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["Hub__DataDirectory"] = data,
        }, "dev-token", "--role", HubRoles.Admin);

        Assert.Equal(1, await command.WaitForExitAsync());
        Assert.Contains("dev-token: refused", command.StandardError);
        Assert.Contains($"'{environment}' environment", command.StandardError);
        Assert.False(File.Exists(Path.Combine(data, DevelopmentSigningKey.FileName)));
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public void The_dev_token_command_refuses_where_an_identity_provider_is_configured_even_in_Development()
    {
        var error = new StringWriter();
        var options = new Hosting.HubOptions { DataDirectory = Path.GetTempPath(), Auth = { Authority = issuer.Url } };
        Assert.Equal(1, DevTokenCommand.Run(["dev-token", "--role", HubRoles.Admin], options, "Development", TextWriter.Null, error));
        Assert.Contains("Hub:Auth:Authority", error.ToString());
    }

    [Fact]
    public async Task In_Production_with_an_identity_provider_the_development_sign_in_is_not_found_and_development_tokens_are_refused()
    {
        await using var hub = new ProductionHub(issuer.Url);
        var browser = hub.CreateClient(new() { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/dev/signin")).StatusCode);
        var post = await browser.PostAsync("/dev/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Eve", ["role"] = HubRoles.Admin }));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.DoesNotContain("continuityhub.session", string.Join(";", post.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []));

        var api = hub.CreateClient();
        // A token signed with the development key (as dev-token would print it) is refused...
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", hub.Token(HubRoles.Admin));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/followups")).StatusCode);
        // ...while the issuer's token for the same role is accepted.
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issuer.Token(HubRoles.Admin));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/followups")).StatusCode);
    }

    [Fact]
    public void The_development_signing_key_is_created_readable_by_its_owner_only()
    {
        var data = Directory.CreateTempSubdirectory("hub-key-").FullName;
        DevelopmentSigningKey.LoadOrCreate(data);

        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, DevelopmentSigningKey.FileName)));
        Directory.Delete(data, recursive: true);
    }
}
