using ContinuityHub.Hosting;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace ContinuityHub.Tests.Platform;

/// <summary>
/// The standard ASP.NET Core address settings work as documented (issue 12, item 7), and the local default
/// http://127.0.0.1:5080 applies only when none is given.
/// </summary>
public sealed class ListenAddressTests : IDisposable
{
    private readonly string data = Directory.CreateTempSubdirectory("hub-urls-").FullName;

    public static TheoryData<string> Settings => new() { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "--urls" };

    [Theory]
    [MemberData(nameof(Settings))]
    public async Task The_hub_listens_where_the_standard_setting_says(string setting)
    {
        var port = HubProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Hub"] = TestPostgres.CreateDatabase(),
            ["Hub__DataDirectory"] = data,
            ["Hub__FollowUps__Enabled"] = "false",
        };
        string[] arguments = [];
        switch (setting)
        {
            case "ASPNETCORE_URLS": environment[setting] = $"http://127.0.0.1:{port}"; break;
            case "ASPNETCORE_HTTP_PORTS": environment[setting] = port.ToString(); break;
            default: arguments = ["--urls", $"http://127.0.0.1:{port}"]; break;
        }

        await using var hub = HubProcess.Start(environment, arguments);

        await hub.WaitUntilAnsweringAsync($"http://127.0.0.1:{port}", "/health/live");
    }

    [Fact]
    public void Without_an_address_setting_the_hub_listens_on_the_local_default()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration["urls"] = null;
        builder.Configuration["http_ports"] = null;
        builder.Configuration["https_ports"] = null;

        builder.UseLocalDefaultUnlessConfigured();

        Assert.Equal("http://127.0.0.1:5080", builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:9000")]
    [InlineData("http_ports", "9000")]
    [InlineData("Kestrel:Endpoints:Main:Url", "http://127.0.0.1:9000")]
    public void Any_standard_address_setting_replaces_the_local_default(string key, string value)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration[key] = value;

        builder.UseLocalDefaultUnlessConfigured();

        Assert.NotEqual(ListenAddress.LocalDefault, builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey));
    }

    public void Dispose()
    {
        try { Directory.Delete(data, recursive: true); } catch (IOException) { }
    }
}
