using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Fhir;

/// <summary>
/// The one FHIR seam: under /fhir every error answer is a valid R4 OperationOutcome in application/fhir+json,
/// whoever decides it (an endpoint, routing, authentication, authorization, content negotiation, the body
/// parser), and a body the Firely parser cannot read is refused with the parser's FHIRPath locations.
/// </summary>
public sealed class FhirSeamTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private HttpClient Provider() => hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");

    private async Task<Guid> NewReferral() =>
        (await hub.SubmitReleaseAsync(Notifications.Example(releaseDate: "2026-11-10", status: "released"))).ReferralId;

    private static HttpRequestMessage Put(Guid id, string body, string contentType, string ifMatch = "W/\"1\"")
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/fhir/Task/{id}") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    [Theory]
    [InlineData("/fhir/Nope")]
    [InlineData("/fhir/Task/x/y")]
    [InlineData("/fhir/Patient")]
    public async Task An_unknown_route_is_404_not_found(string path)
    {
        var issues = await FhirAssert.OutcomeAsync(await Provider().GetAsync(path), HttpStatusCode.NotFound, "not-found");
        Assert.Contains("/fhir/metadata", issues[0].GetProperty("diagnostics").GetString());
    }

    [Fact]
    public async Task No_token_is_401_login_with_the_bearer_challenge_on_a_known_and_an_unknown_route()
    {
        foreach (var path in new[] { $"/fhir/Task/{Guid.NewGuid()}", "/fhir/Nope" })
        {
            var response = await hub.CreateClient().GetAsync(path);
            await FhirAssert.OutcomeAsync(response, HttpStatusCode.Unauthorized, "login");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task A_role_the_authorization_policy_refuses_is_403_forbidden()
    {
        var response = await hub.ClientFor(HubRoles.Probation, pdus: ["*"]).GetAsync("/fhir/Measure/continuity-of-care-21-days/$evaluate-measure");
        await FhirAssert.OutcomeAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_method_a_route_does_not_serve_is_405_with_Allow()
    {
        var delete = await Provider().DeleteAsync($"/fhir/Task/{Guid.NewGuid()}");
        await FhirAssert.OutcomeAsync(delete, HttpStatusCode.MethodNotAllowed, "not-supported");
        Assert.Contains("PUT", delete.Content.Headers.Allow);
        await FhirAssert.OutcomeAsync(await Provider().PostAsync("/fhir/metadata", null), HttpStatusCode.MethodNotAllowed, "not-supported");
    }

    [Theory]
    [InlineData("application/fhir+xml", HttpStatusCode.NotAcceptable)]
    [InlineData("application/xml, text/html", HttpStatusCode.NotAcceptable)]
    [InlineData("application/fhir+json; q=0", HttpStatusCode.NotAcceptable)]
    [InlineData("application/fhir+json; fhirVersion=4.0", HttpStatusCode.OK)]
    [InlineData("application/json", HttpStatusCode.OK)]
    [InlineData("text/html, application/xhtml+xml, */*; q=0.8", HttpStatusCode.OK)]
    public async Task Only_JSON_is_served_anything_else_asked_for_is_406(string accept, HttpStatusCode expected)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/Organization/EXS2SN");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        var response = await Provider().SendAsync(request);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        }
        else await FhirAssert.OutcomeAsync(response, expected, "not-supported");
    }

    [Theory]
    [InlineData("application/fhir+xml")]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_body_in_another_format_is_415_and_changes_nothing(string contentType)
    {
        var id = await NewReferral();
        var body = $$"""{"resourceType":"Task","id":"{{id}}","status":"accepted","intent":"order"}""";

        await FhirAssert.OutcomeAsync(await Provider().SendAsync(Put(id, body, contentType)), HttpStatusCode.UnsupportedMediaType, "not-supported");

        await using var db = hub.Db();
        var referral = await db.Referrals.SingleAsync(r => r.Id == id);
        Assert.Equal(("requested", 1), (referral.TaskStatus, referral.Version));
    }

    [Fact]
    public async Task A_content_type_on_a_request_without_a_body_is_ignored()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/Organization/EXS2SN") { Content = new StringContent("", Encoding.UTF8, "text/plain") };
        Assert.Equal(HttpStatusCode.OK, (await Provider().SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_Task_the_parser_rejects_is_400_with_an_issue_per_problem_at_its_FHIRPath_and_changes_nothing()
    {
        var id = await NewReferral();
        var client = Provider();
        var task = JsonNode.Parse(await client.GetStringAsync($"/fhir/Task/{id}"))!.AsObject();
        task["status"] = "engaged";                                                // not a TaskStatus code
        task["executionPeriod"] = new JsonObject { ["start"] = "12/11/2026" };     // not a FHIR dateTime
        task["priority"] = JsonValue.Create(3);                                    // a number where a code goes
        task["colour"] = "blue";                                                   // no such element

        var issues = await FhirAssert.OutcomeAsync(await client.SendAsync(Put(id, task.ToJsonString(), "application/fhir+json")), HttpStatusCode.BadRequest, "code-invalid");

        var expressions = issues.SelectMany(i => i.GetProperty("expression").EnumerateArray().Select(e => e.GetString())).ToHashSet();
        Assert.Superset(new HashSet<string?> { "Task.status", "Task.executionPeriod.start", "Task.priority", "Task.colour" }, expressions);
        await using var db = hub.Db();
        Assert.Equal("requested", await db.Referrals.Where(r => r.Id == id).Select(r => r.TaskStatus).SingleAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_a_Task_is_400_naming_what_is_wrong()
    {
        var id = await NewReferral();
        var client = Provider();

        var syntax = await FhirAssert.OutcomeAsync(await client.SendAsync(Put(id, """{"resourceType":"Task",""", "application/fhir+json")), HttpStatusCode.BadRequest, "structure");
        Assert.Contains("not valid JSON", syntax[0].GetProperty("diagnostics").GetString());
        var patient = await FhirAssert.OutcomeAsync(await client.SendAsync(Put(id, $$"""{"resourceType":"Patient","id":"{{id}}"}""", "application/json")), HttpStatusCode.BadRequest, "invalid");
        Assert.Equal("Patient", patient[0].GetProperty("expression")[0].GetString());
        var missing = await FhirAssert.OutcomeAsync(await client.SendAsync(Put(id, $$"""{"resourceType":"Task","id":"{{id}}"}""", "application/fhir+json")), HttpStatusCode.BadRequest, "required");
        Assert.Contains(missing, i => i.GetProperty("expression")[0].GetString() == "Task.intent");
        await FhirAssert.OutcomeAsync(await client.SendAsync(Put(id, "[1]", "application/fhir+json")), HttpStatusCode.BadRequest, "structure");
    }

    [Fact]
    public async Task The_endpoints_own_refusals_are_valid_OperationOutcomes_too()
    {
        var client = Provider();
        await FhirAssert.OutcomeAsync(await client.GetAsync($"/fhir/ServiceRequest/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not-found");
        await FhirAssert.OutcomeAsync(await client.GetAsync("/fhir/ServiceRequest?colour=blue"), HttpStatusCode.BadRequest, "not-supported");
        var id = await NewReferral();
        var body = $$"""{"resourceType":"Task","id":"{{id}}","status":"accepted","intent":"order"}""";
        await FhirAssert.OutcomeAsync(await client.SendAsync(Put(id, body, "application/fhir+json", ifMatch: "W/\"7\"")), HttpStatusCode.PreconditionFailed, "conflict");
    }
}
