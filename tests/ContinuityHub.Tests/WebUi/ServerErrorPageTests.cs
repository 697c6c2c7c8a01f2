using System.Net;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.WebUi;

/// <summary>
/// An exception while answering a page is the GOV.UK error page ("Sorry, there is a problem with the service"), in the
/// layout, naming nothing of the failure; the APIs keep their problem+json and FHIR its OperationOutcome. The fault:
/// a column the hub reads is renamed under it, on a database of this class's own.
/// </summary>
public sealed class ServerErrorPageTests(ServerErrorPageTests.BrokenHub hub) : IClassFixture<ServerErrorPageTests.BrokenHub>
{
    private const string Pdu = "ERR1";

    public sealed class BrokenHub : HubFactory, IAsyncLifetime
    {
        public string Noms { get; } = Notifications.NewNomsNumber();

        public async Task InitializeAsync()
        {
            var notification = Notifications.Example(nomsNumber: Noms, releaseDate: "2026-11-12", status: "released");
            notification["contacts"]!["probationPractitioner"]!["pduCode"] = Pdu;
            await this.SubmitReleaseAsync(notification);
            TestPostgres.Execute(ConnectionString, "ALTER TABLE people RENAME COLUMN given_name TO given_name_gone");
        }

        Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
    }

    private static async Task AssertServiceProblemPageAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InternalServerError, $"{(int)response.StatusCode}: {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1 class=\"govuk-heading-l\">Sorry, there is a problem with the service</h1>", html);
        Assert.Contains("class=\"govuk-template\"", html);             // the service's layout, GOV.UK styled
        Assert.Contains("/assets/govuk-frontend.min.css", html);
        Assert.DoesNotContain("given_name", html);                      // nothing of the failure itself
        Assert.DoesNotContain("Exception", html);
    }

    [Fact]
    public async Task A_page_that_fails_answers_the_GOV_UK_error_page_on_GET_and_on_a_form_POST()
    {
        var browser = await hub.SignedInBrowserAsync(HubRoles.Probation, pdu: Pdu);

        await AssertServiceProblemPageAsync(await browser.GetAsync("/caseload"));

        // Find a person: a form POST, with an anti-forgery token of this session from a page that still works.
        var token = BrowserSession.AntiforgeryToken(await browser.GetStringAsync("/dev/signin"));
        var post = await browser.PostAsync("/caseload?handler=Find",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["Identifier"] = hub.Noms, ["__RequestVerificationToken"] = token }));
        await AssertServiceProblemPageAsync(post);
    }

    [Fact]
    public async Task The_APIs_keep_problem_json_and_FHIR_its_OperationOutcome()
    {
        var api = await hub.ClientFor(HubRoles.Probation, pdus: [Pdu]).GetAsync($"/api/v1/people/{hub.Noms}/episodes");
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Equal(500, (await JsonSerializer.DeserializeAsync<JsonElement>(await api.Content.ReadAsStreamAsync())).GetProperty("status").GetInt32());

        var fhir = await hub.ClientFor(HubRoles.Admin).GetAsync($"/fhir/Patient/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.InternalServerError, fhir.StatusCode);
        Assert.Equal("OperationOutcome", (await JsonSerializer.DeserializeAsync<JsonElement>(await fhir.Content.ReadAsStreamAsync())).GetProperty("resourceType").GetString());
    }
}
