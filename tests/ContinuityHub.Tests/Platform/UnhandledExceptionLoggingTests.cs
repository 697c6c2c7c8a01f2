using System.Net;
using System.Net.Http.Json;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.Platform;

/// <summary>An unexpected failure is logged with the route it happened on (it used to say "at null"), and nothing personal.</summary>
public sealed class UnhandledExceptionLoggingTests(UnhandledExceptionLoggingTests.FailingHub hub) : IClassFixture<UnhandledExceptionLoggingTests.FailingHub>
{
    [Fact]
    public async Task The_error_line_names_the_route_template_and_the_answer_is_a_500_problem()
    {
        var response = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", Notifications.Example());

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains(hub.Log.Lines, line => line.Contains("Unhandled InvalidOperationException at /api/v1/releases/"));
        Assert.Contains(hub.Log.Lines, line => line.Contains("\"RouteTemplate\":\"/api/v1/releases/\"") && line.Contains("\"StatusCode\":500"));
    }

    /// <summary>A hub whose episode observers fail, so that every accepted notification meets an unexpected exception.</summary>
    public sealed class FailingHub : HubFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddScoped<IEpisodeChangeObserver, FailingObserver>());
        }
    }

    private sealed class FailingObserver : IEpisodeChangeObserver
    {
        public Task OnEpisodeChangedAsync(Domain.Episode episode, Domain.Referral? referral, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("observer failed");
    }
}
