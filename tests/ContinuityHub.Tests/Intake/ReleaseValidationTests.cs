using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Intake;

/// <summary>Bad input gets a precise 4xx naming every problem, and writes nothing (contract §4.1).</summary>
public sealed class ReleaseValidationTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private static async Task<Dictionary<string, string>> ProblemsOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("errors").EnumerateArray()
            .GroupBy(e => e.GetProperty("pointer").GetString()!)
            .ToDictionary(g => g.Key, g => string.Join(" | ", g.Select(e => e.GetProperty("detail").GetString())));
    }

    private async Task AssertNothingWritten()
    {
        await using var db = hub.Db();
        Assert.Equal(0, await db.People.CountAsync());
        Assert.Equal(0, await db.Episodes.CountAsync());
        Assert.Equal(0, await db.ReleaseNotifications.CountAsync());
        Assert.Equal(0, await db.AuditLog.CountAsync());
    }

    [Fact]
    public async Task Every_problem_in_one_notification_is_listed_with_its_pointer_and_nothing_is_written()
    {
        var bad = Notifications.Example();
        bad["notificationId"] = "not-a-uuid";
        bad["source"] = "court";
        bad["person"]!["nomsNumber"] = "12345";
        bad["person"]!["nhsNumber"] = "9434765918";          // wrong Modulus 11 check digit
        bad["person"]!["crn"] = "X12345";
        bad["person"]!["pncNumber"] = "2001/0123456A";       // check letter should be F
        bad["person"]!["givenName"] = "";
        bad["person"]!.AsObject().Remove("familyName");
        bad["person"]!["dateOfBirth"] = "2020-01-01";        // a 6-year-old is not plausible
        bad["person"]!["gender"] = "m";
        bad["release"]!["prisonCode"] = "ZZZ";
        bad["release"]!["releaseDate"] = "2026-02-30";
        bad["release"]!["status"] = "maybe";
        bad["release"]!["destination"]!["postcode"] = "NN17";
        bad["release"]!["destination"]!["localAuthorityCode"] = "Corby";
        bad["treatmentNeed"]!["substances"] = new JsonArray("opiates", "heroin", "opiates", 7);
        bad["treatmentNeed"]!["ost"]!["dailyDoseMg"] = -5;
        bad["treatmentNeed"]!["naloxoneIssued"] = "yes";
        bad["treatmentNeed"]!.AsObject().Remove("consentToShare");
        bad["contacts"]!["prisonTeamEmail"] = "not an email";

        var response = await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", bad);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problems = await ProblemsOf(response);
        string[] expected =
        [
            "/notificationId", "/source", "/person/nomsNumber", "/person/nhsNumber", "/person/crn", "/person/pncNumber",
            "/person/givenName", "/person/familyName", "/person/dateOfBirth", "/person/gender", "/release/prisonCode",
            "/release/releaseDate", "/release/status", "/release/destination/postcode", "/release/destination/localAuthorityCode",
            "/treatmentNeed/substances/1", "/treatmentNeed/substances/2", "/treatmentNeed/substances/3",
            "/treatmentNeed/ost/dailyDoseMg", "/treatmentNeed/naloxoneIssued", "/treatmentNeed/consentToShare", "/contacts/prisonTeamEmail",
        ];
        Assert.Equal(expected.Order(), problems.Keys.Order());
        Assert.Contains("Modulus 11", problems["/person/nhsNumber"]);
        Assert.Contains("check letter", problems["/person/pncNumber"]);
        Assert.Contains("heroin", problems["/treatmentNeed/substances/1"]);
        Assert.Contains("twice", problems["/treatmentNeed/substances/2"]);
        await AssertNothingWritten();
    }

    [Fact]
    public async Task Error_texts_never_echo_the_persons_details()
    {
        var bad = Notifications.Example();
        bad["person"]!["nhsNumber"] = "9434765918";
        bad["person"]!["dateOfBirth"] = "1899-12-31";
        bad["person"]!["givenName"] = new string('x', 101);
        var response = await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", bad);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.DoesNotContain("9434765918", text);
        Assert.DoesNotContain("1899-12-31", text);
        Assert.DoesNotContain("xxxxxxxxxx", text);
    }

    [Fact]
    public async Task A_released_status_with_a_future_date_is_refused()
    {
        var response = await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", Notifications.Example(releaseDate: "2026-12-01", status: "released"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("future", (await ProblemsOf(response))["/release/releaseDate"]);
    }

    [Theory]
    [InlineData("{\"notificationId\": ", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    public async Task A_body_that_is_not_a_notification_object_is_a_clear_client_error(string body, string expected)
    {
        var response = await hub.PrisonClient().PostAsync("/api/v1/releases", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, response.StatusCode.ToString());
        Assert.Contains(expected, string.Join(" ", (await ProblemsOf(response)).Values));
        await AssertNothingWritten();
    }

    [Fact]
    public async Task A_body_over_256_KiB_is_refused_with_413()
    {
        var big = Notifications.Example();
        big["padding"] = new string('a', 257 * 1024);
        var response = await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNothingWritten();
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_with_415()
    {
        var response = await hub.PrisonClient().PostAsync("/api/v1/releases", new StringContent("nomsNumber=A1234BC", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_prison_outside_the_tokens_scope_is_forbidden_and_writes_nothing()
    {
        var response = await hub.PrisonClient("WDI").PostAsJsonAsync("/api/v1/releases", Notifications.Example(prisonCode: "ONI"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertNothingWritten();
    }

    [Fact]
    public async Task Without_a_valid_token_the_answer_is_401_and_other_roles_are_403()
    {
        var anonymous = hub.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/releases", Notifications.Example())).StatusCode);

        var forged = hub.CreateClient();
        var otherKeyToken = new DevelopmentTokenIssuer(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]), "continuityhub")
            .Issue("x", "x", [HubRoles.PrisonHealthcare], ["ONI"]);
        forged.DefaultRequestHeaders.Authorization = new("Bearer", otherKeyToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.PostAsJsonAsync("/api/v1/releases", Notifications.Example())).StatusCode);

        var commissioner = hub.ClientFor(HubRoles.Commissioner);
        Assert.Equal(HttpStatusCode.Forbidden, (await commissioner.PostAsJsonAsync("/api/v1/releases", Notifications.Example())).StatusCode);
        await AssertNothingWritten();
    }

    [Fact]
    public async Task Probation_sends_for_its_delivery_units_only()
    {
        var notification = Notifications.Example();
        notification["source"] = "probation";
        var outside = await hub.ClientFor(HubRoles.Probation, pdus: ["OTHER1"]).PostAsJsonAsync("/api/v1/releases", notification);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);

        var prisonPretendingProbation = await hub.PrisonClient("ONI").PostAsJsonAsync("/api/v1/releases", notification);
        Assert.Equal(HttpStatusCode.Forbidden, prisonPretendingProbation.StatusCode);
        await AssertNothingWritten();
    }
}
