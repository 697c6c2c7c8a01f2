using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContinuityHub.Tests.Intake;

/// <summary>POST /api/v1/releases/batch (contract §4.1): CSV and JSON arrays, answered row by row.</summary>
public sealed class ReleaseBatchTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private const string BatchPath = "/api/v1/releases/batch";

    private static readonly string[] Header =
    [
        "notificationId", "source", "nomsNumber", "nhsNumber", "crn", "givenName", "familyName", "dateOfBirth", "gender",
        "prisonCode", "releaseDate", "status", "releaseType", "postcode", "substances", "inTreatmentInCustody",
        "ostMedication", "ostDailyDoseMg", "naloxoneIssued", "consentToShare", "prisonTeamEmail", "probationPduCode",
    ];

    /// <summary>One valid CSV row as column → raw (already CSV-encoded) cell.</summary>
    private static Dictionary<string, string> Row(string? noms = null, string prison = "ONI") => new()
    {
        ["notificationId"] = Guid.NewGuid().ToString(),
        ["source"] = "prison-healthcare",
        ["nomsNumber"] = noms ?? Notifications.NewNomsNumber(),
        ["nhsNumber"] = "9434765919",
        ["crn"] = "X123456",
        ["givenName"] = "Sam",
        ["familyName"] = "Example",
        ["dateOfBirth"] = "1985-03-14",
        ["gender"] = "male",
        ["prisonCode"] = prison,
        ["releaseDate"] = "2026-12-01",
        ["status"] = "planned",
        ["releaseType"] = "licence",
        ["postcode"] = "NN17 1AA",
        ["substances"] = "opiates;crack",
        ["inTreatmentInCustody"] = "true",
        ["ostMedication"] = "methadone",
        ["ostDailyDoseMg"] = "60",
        ["naloxoneIssued"] = "true",
        ["consentToShare"] = "true",
        ["prisonTeamEmail"] = "healthcare.oni@example.nhs.uk",
        ["probationPduCode"] = "N56NNE",
    };

    private static string Csv(IEnumerable<string> header, params Dictionary<string, string>[] rows)
    {
        var columns = header.ToList();
        var text = new StringBuilder(string.Join(",", columns)).Append("\r\n");
        foreach (var row in rows)
            text.Append(string.Join(",", columns.Select(c => row.GetValueOrDefault(c, "")))).Append("\r\n");
        return text.ToString();
    }

    private static Task<HttpResponseMessage> PostCsvAsync(HttpClient client, string csv) =>
        client.PostAsync(BatchPath, new StringContent(csv, Encoding.UTF8, "text/csv"));

    private static JsonElement[] Results(JsonElement body) => [.. body.GetProperty("results").EnumerateArray()];

    private static string Noms(Dictionary<string, string> row) => row["nomsNumber"];

    [Fact]
    public async Task A_CSV_batch_answers_every_row_and_one_bad_row_blocks_nothing()
    {
        var valid = Row();
        var invalid = Row();
        invalid["nhsNumber"] = "9434765918";       // fails the Modulus 11 check
        invalid["substances"] = "opiates;heroin";  // not a substance code
        var duplicate = new Dictionary<string, string>(valid);

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(Header, valid, invalid, duplicate));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, body.GetProperty("rows").GetInt32());
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Equal(1, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(1, body.GetProperty("rejected").GetInt32());
        var results = Results(body);
        Assert.Equal(["accepted", "rejected", "duplicate"], results.Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal([2, 3, 4], results.Select(r => r.GetProperty("row").GetInt32())); // CSV line numbers; the header is line 1
        Assert.Equal(valid["notificationId"], results[0].GetProperty("notificationId").GetString());
        Assert.Equal(invalid["notificationId"], results[1].GetProperty("notificationId").GetString());
        Assert.Equal(valid["notificationId"], results[2].GetProperty("notificationId").GetString());
        Assert.Equal(results[0].GetProperty("episodeId").GetGuid(), results[2].GetProperty("episodeId").GetGuid());
        Assert.Equal(results[0].GetProperty("referralId").GetGuid(), results[2].GetProperty("referralId").GetGuid());
        Assert.Empty(results[0].GetProperty("problems").EnumerateArray());

        // Every problem of the rejected row, each with its pointer and its CSV column.
        var problems = results[1].GetProperty("problems").EnumerateArray()
            .Select(p => (Pointer: p.GetProperty("pointer").GetString(), Column: p.GetProperty("column").GetString(), Detail: p.GetProperty("detail").GetString()))
            .ToList();
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Pointer == "/person/nhsNumber" && p.Column == "nhsNumber");
        Assert.Contains(problems, p => p.Pointer == "/treatmentNeed/substances/1" && p.Column == "substances" && p.Detail!.Contains("heroin"));
        Assert.Equal(JsonValueKind.Null, results[1].GetProperty("episodeId").ValueKind);

        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == Noms(valid));
        Assert.Equal(results[0].GetProperty("episodeId").GetGuid(), episode.Id);
        Assert.Equal(["opiates", "crack"], episode.Substances);
        Assert.Equal(60m, episode.OstDailyDoseMg);
        Assert.True(episode.ConsentToShare);
        Assert.Equal("N56NNE", episode.PduCode);
        Assert.Equal(1, await db.ReleaseNotifications.CountAsync(n => n.NotificationId == Guid.Parse(valid["notificationId"])));
        Assert.Equal(1, await db.Referrals.CountAsync(r => r.EpisodeId == episode.Id));
        Assert.False(await db.People.AnyAsync(p => p.NomsNumber == Noms(invalid)));
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == Noms(invalid)));
        Assert.False(await db.ReleaseNotifications.AnyAsync(n => n.NotificationId == Guid.Parse(invalid["notificationId"])));
    }

    [Fact]
    public async Task A_JSON_array_batch_answers_every_row_and_one_bad_row_blocks_nothing()
    {
        var valid = Notifications.Example();
        var invalid = Notifications.Example();
        invalid["person"]!["nhsNumber"] = "9434765918";
        invalid["treatmentNeed"]!["substances"] = new JsonArray("opiates", "heroin");
        var duplicate = JsonNode.Parse(valid.ToJsonString())!;
        var batch = new JsonArray(JsonNode.Parse(valid.ToJsonString()), JsonNode.Parse(invalid.ToJsonString()), duplicate);

        var response = await hub.PrisonClient("ONI").PostAsJsonAsync(BatchPath, batch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var results = Results(body);
        Assert.Equal(["accepted", "rejected", "duplicate"], results.Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal([0, 1, 2], results.Select(r => r.GetProperty("row").GetInt32()));
        Assert.Equal(results[0].GetProperty("episodeId").GetGuid(), results[2].GetProperty("episodeId").GetGuid());
        var problems = results[1].GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("pointer").GetString()).ToList();
        Assert.Equal(2, problems.Count);
        Assert.Contains("/person/nhsNumber", problems);
        Assert.Contains("/treatmentNeed/substances/1", problems);

        await using var db = hub.Db();
        var validNoms = (string)valid["person"]!["nomsNumber"]!;
        var invalidNoms = (string)invalid["person"]!["nomsNumber"]!;
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == validNoms));
        Assert.Equal(1, await db.ReleaseNotifications.CountAsync(n => n.NotificationId == Guid.Parse((string)valid["notificationId"]!)));
        Assert.False(await db.People.AnyAsync(p => p.NomsNumber == invalidNoms));
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == invalidNoms));
    }

    [Fact]
    public async Task A_batch_row_reusing_a_notificationId_with_other_content_is_rejected_alone()
    {
        var first = Row();
        var conflicting = new Dictionary<string, string>(first) { ["releaseDate"] = "2026-12-03" };
        var other = Row();

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(Header, first, conflicting, other));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = Results(await response.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal(["accepted", "rejected", "accepted"], results.Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal("/notificationId", results[1].GetProperty("problems")[0].GetProperty("pointer").GetString());
        await using var db = hub.Db();
        Assert.Equal(new DateOnly(2026, 12, 1), (await db.Episodes.SingleAsync(e => e.NomsNumber == Noms(first))).ReleaseDate);
    }

    [Fact]
    public async Task A_CSV_header_with_an_unknown_column_and_a_missing_required_column_is_400_naming_both()
    {
        var header = Header.Where(h => h != "consentToShare").Append("favouriteColour").ToArray();
        var row = Row();
        row["favouriteColour"] = "blue";

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(header, row));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("favouriteColour", text);
        Assert.Contains("consentToShare", text);
        await using var db = hub.Db();
        Assert.False(await db.People.AnyAsync(p => p.NomsNumber == Noms(row)));
    }

    [Fact]
    public async Task A_CSV_header_naming_a_column_twice_is_400()
    {
        var header = Header.Append("nhsNumber").ToArray();
        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(header, Row()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("nhsNumber", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Columns_may_come_in_any_order_and_optional_ones_may_be_left_out()
    {
        var header = new[] { "consentToShare", "substances", "status", "releaseDate", "prisonCode", "dateOfBirth", "familyName", "givenName", "nomsNumber", "notificationId" };
        var row = Row();

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(header, row));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("accepted", Results(await response.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == Noms(row));
        Assert.Equal(new DateOnly(2026, 12, 1), episode.ReleaseDate);
        Assert.Equal("ONI", episode.PrisonCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    public async Task Another_content_type_is_415(string contentType)
    {
        var response = await hub.PrisonClient("ONI").PostAsync(BatchPath, new StringContent(Csv(Header, Row()), Encoding.UTF8, contentType));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_JSON_batch_that_is_not_an_array_is_400()
    {
        var response = await hub.PrisonClient("ONI").PostAsJsonAsync(BatchPath, Notifications.Example());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_row_for_a_prison_outside_the_token_scope_is_rejected_and_the_others_accepted()
    {
        var mine = Row(prison: "ONI");
        var theirs = Row(prison: "WDI");
        var alsoMine = Row(prison: "ONI");

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(Header, mine, theirs, alsoMine));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = Results(await response.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal(["accepted", "rejected", "accepted"], results.Select(r => r.GetProperty("outcome").GetString()));
        Assert.Contains("WDI", results[1].GetProperty("problems")[0].GetProperty("detail").GetString());
        await using var db = hub.Db();
        Assert.True(await db.Episodes.AnyAsync(e => e.NomsNumber == Noms(mine)));
        Assert.True(await db.Episodes.AnyAsync(e => e.NomsNumber == Noms(alsoMine)));
        Assert.False(await db.People.AnyAsync(p => p.NomsNumber == Noms(theirs)));
    }

    [Fact]
    public async Task Quoted_CSV_fields_keep_commas_doubled_quotes_and_line_breaks()
    {
        var row = Row();
        row["givenName"] = "\"O\"\"Neil, Jr\"";
        row["familyName"] = "\"Smith,\nJones\"";
        var after = Row(); // the row after a multi-line field is still its own row

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(Header, row, after));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = Results(await response.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal(["accepted", "accepted"], results.Select(r => r.GetProperty("outcome").GetString()));
        await using var db = hub.Db();
        var person = await db.People.SingleAsync(p => p.NomsNumber == Noms(row));
        Assert.Equal("O\"Neil, Jr", person.GivenName);
        Assert.Equal("Smith,\nJones", person.FamilyName);
        Assert.Equal(new DateOnly(1985, 3, 14), person.DateOfBirth); // the columns after the quoted ones did not shift
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == Noms(row));
        Assert.Equal("ONI", episode.PrisonCode);
        Assert.Equal(["opiates", "crack"], episode.Substances);
        Assert.True(await db.People.AnyAsync(p => p.NomsNumber == Noms(after)));
    }

    [Fact]
    public async Task A_CSV_row_with_an_empty_substances_cell_and_no_need_is_accepted_without_a_referral()
    {
        var row = Row();
        row["substances"] = "";
        row["ostMedication"] = "";
        row["ostDailyDoseMg"] = "";

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(Header, row));

        var result = Results(await response.Content.ReadFromJsonAsync<JsonElement>())[0];
        Assert.Equal("accepted", result.GetProperty("outcome").GetString());
        Assert.Equal("no-treatment-need", result.GetProperty("referralOutcome").GetString());
        await using var db = hub.Db();
        Assert.Empty((await db.Episodes.SingleAsync(e => e.NomsNumber == Noms(row))).Substances);
    }

    [Fact]
    public async Task A_CSV_cell_of_the_wrong_type_is_named_with_its_column()
    {
        var row = Row();
        row["consentToShare"] = "yes";
        row["ostDailyDoseMg"] = "sixty";

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(Header, row));

        var result = Results(await response.Content.ReadFromJsonAsync<JsonElement>())[0];
        Assert.Equal("rejected", result.GetProperty("outcome").GetString());
        var columns = result.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("column").GetString()).ToList();
        Assert.Contains("consentToShare", columns);
        Assert.Contains("ostDailyDoseMg", columns);
    }

    [Fact]
    public async Task Without_a_token_the_batch_is_401()
    {
        var response = await PostCsvAsync(hub.CreateClient(), Csv(Header, Row()));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_CSV_with_a_UTF8_byte_order_mark_is_read_like_one_without()
    {
        var row = Row();
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Csv(Header, row))).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };

        var response = await hub.PrisonClient("ONI").PostAsync(BatchPath, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("accepted", Results(await response.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_row_holding_a_NUL_character_is_rejected_and_does_not_stop_the_rows_after_it()
    {
        var bad = Row();
        bad["familyName"] = "Exa\u0000mple";
        var good = Row();

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(Header, bad, good));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = Results(await response.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal(["rejected", "accepted"], results.Select(r => r.GetProperty("outcome").GetString()));
        await using var db = hub.Db();
        Assert.False(await db.People.AnyAsync(p => p.NomsNumber == Noms(bad)));
        Assert.True(await db.People.AnyAsync(p => p.NomsNumber == Noms(good)));
    }

    [Fact]
    public async Task A_JSON_batch_with_a_UTF8_byte_order_mark_is_read_like_one_without()
    {
        var notification = Notifications.Example();
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(new JsonArray(notification).ToJsonString())).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await hub.PrisonClient("ONI").PostAsync(BatchPath, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("accepted", Results(await response.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Rows_about_one_person_are_taken_in_file_order_while_other_peoples_rows_run_beside_them()
    {
        // The batch takes rows about different people in together (IntakeGroupCommit); one person's rows must
        // still apply in file order, so among planned dates the later row wins (contract §4.1).
        var noms = Notifications.NewNomsNumber();
        var others = Enumerable.Range(0, 24).Select(_ => Row()).ToList();
        var dates = new[] { "2026-12-01", "2026-12-09", "2026-12-04", "2026-12-06" };
        var rows = new List<Dictionary<string, string>>();
        for (var i = 0; i < dates.Length; i++)
        {
            var row = Row(noms);
            row["releaseDate"] = dates[i];
            rows.Add(row);
            rows.AddRange(others.Skip(i * others.Count / dates.Length).Take(others.Count / dates.Length));
        }
        var repeat = new Dictionary<string, string>(others[^1]);
        rows.Add(repeat);

        var response = await PostCsvAsync(hub.PrisonClient("ONI"), Csv(Header, [.. rows]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var results = Results(body);
        Assert.Equal(Enumerable.Range(2, rows.Count), results.Select(r => r.GetProperty("row").GetInt32()));
        Assert.Equal(rows.Select(r => r["notificationId"]), results.Select(r => r.GetProperty("notificationId").GetString()));
        Assert.Equal(rows.Count - 1, body.GetProperty("accepted").GetInt32());
        Assert.Equal("duplicate", results[^1].GetProperty("outcome").GetString());
        await using var db = hub.Db();
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(new DateOnly(2026, 12, 6), episode.ReleaseDate);
        Assert.Equal(dates.Length, await db.ReleaseNotifications.CountAsync(n => n.EpisodeId == episode.Id));
        Assert.Equal(others.Count, await db.Episodes.CountAsync(e => others.Select(Noms).Contains(e.NomsNumber)));
    }
}
