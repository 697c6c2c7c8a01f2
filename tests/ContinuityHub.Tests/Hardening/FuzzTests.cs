using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContinuityHub.Errors;
using ContinuityHub.Security;
using ContinuityHub.Tests.Events;
using ContinuityHub.Tests.Hardening.Fuzz;
using ContinuityHub.Tests.Infrastructure;
using ContinuityHub.Tests.WebUi;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ContinuityHub.Tests.Hardening;

/// <summary>
/// Issue 12 item 3: property-based fuzzing of every endpoint the hub maps (read from its EndpointDataSource, so a
/// new endpoint is fuzzed too), over real HTTP (Kestrel) to the hub on the real test PostgreSQL, with valid tokens
/// and signed-in browsers of every role. At least 10,000 malformed requests a run, mutated from valid ones. The
/// properties: no answer is 5xx, no error is logged for a request (an unhandled exception, a value refused by the
/// database), and a rejected request (4xx) changes nothing in the database (a fingerprint of every table, taken
/// after each request). Seeded: FUZZ_SEED picks another run (default 12), FUZZ_REQUESTS its length; a failure
/// prints the seed and each failing request.
/// </summary>
public sealed partial class FuzzTests(FuzzHub hub, ITestOutputHelper output) : IClassFixture<FuzzHub>
{
    private const int DefaultSeed = 12;
    private const int DefaultRequests = 10_000;

    /// <summary>API endpoints that read a body, with valid bodies to mutate. A body-reading endpoint that is neither here nor a form on a page fails the test.</summary>
    private IEnumerable<FuzzTarget> KnownTargets(Func<JsonNode> notification, Func<JsonNode> hmppsEvent, Func<string, JsonNode> task) =>
    [
        new() { Method = "POST", Pattern = "/api/v1/releases", Clients = ["prison", "probation"], Body = BodyKind.Json,
            ContentTypes = ["application/json"], ValidJson = notification },
        new() { Method = "POST", Pattern = "/api/v1/releases/batch", Clients = ["prison"], Body = BodyKind.Json,
            ContentTypes = ["application/json"], ValidJson = () => new JsonArray(notification(), notification()) },
        new() { Method = "POST", Pattern = "/api/v1/releases/batch", Clients = ["prison"], Body = BodyKind.Csv,
            ContentTypes = ["text/csv"], ValidCsv = () => Csv(notification(), notification()) },
        new() { Method = "POST", Pattern = "/api/v1/events/hmpps", Clients = ["feed"], Body = BodyKind.Json,
            ContentTypes = ["application/json", "text/plain"], ValidJson = hmppsEvent },
        new() { Method = "POST", Pattern = "/api/v1/referrals/{referralId:guid}/accept", Clients = ["provider"], Body = BodyKind.Json,
            ContentTypes = ["application/json"], ValidJson = () => new JsonObject() },
        new() { Method = "POST", Pattern = "/api/v1/referrals/{referralId:guid}/reject", Clients = ["provider"], Body = BodyKind.Json,
            ContentTypes = ["application/json"], ValidJson = () => new JsonObject { ["reason"] = "No capacity this month" } },
        new() { Method = "POST", Pattern = "/api/v1/referrals/{referralId:guid}/appointments", Clients = ["provider"], Body = BodyKind.Json,
            ContentTypes = ["application/json"], ValidJson = () => new JsonObject { ["date"] = "2026-12-03" } },
        new() { Method = "POST", Pattern = "/api/v1/referrals/{referralId:guid}/engagement", Clients = ["provider"], Body = BodyKind.Json,
            ContentTypes = ["application/json"], ValidJson = () => new JsonObject { ["date"] = "2026-11-22" } },
        new() { Method = "POST", Pattern = "/api/v1/episodes/{episodeId:guid}/exclusion", Clients = ["probation", "provider", "admin"], Body = BodyKind.Json,
            ContentTypes = ["application/json"], ValidJson = () => new JsonObject { ["reason"] = "returnedToCustody", ["date"] = "2026-11-21" } },
        new() { Method = "PUT", Pattern = "/fhir/Task/{id}", Clients = ["provider"], Body = BodyKind.Json,
            ContentTypes = ["application/fhir+json", "application/json"], ValidJson = () => task("{id}"),
            Headers = new Dictionary<string, string> { ["If-Match"] = "W/\"1\"" } },
    ];

    /// <summary>The query parameters each GET endpoint reads (others get random names).</summary>
    private static readonly Dictionary<string, string[]> QueryParameters = new()
    {
        ["/api/v1/events/parked"] = ["limit"],
        ["/api/v1/notifications"] = ["state", "episodeId", "limit"],
        ["/notifications"] = ["state", "episodeId"],
        ["/api/v1/caseload"] = ["pdu", "status", "page", "limit"],
        ["/api/v1/followups"] = ["status", "limit"],
        ["/fhir/ServiceRequest"] = ["performer", "status", "patient.identifier", "_lastUpdated", "_count", "_offset"],
        ["/fhir/Task"] = ["owner", "status", "focus", "_count", "_offset"],
        ["/fhir/Measure/{id}/$evaluate-measure"] = ["periodStart", "periodEnd", "reportType", "stratifier"],
        ["/api/v1/reports/engagement"] = ["from", "to", "asOf", "groupBy", "format"],
        ["/dashboard"] = ["from", "to"],
        ["/dashboard/engagement.csv"] = ["from", "to"],
        ["/dev/signin"] = ["returnUrl"],
    };

    private static readonly Dictionary<string, string[]> GoodQueryValues = new()
    {
        ["from"] = ["2026-04-01", "2025-04-01"], ["to"] = ["2027-03-31"], ["asOf"] = ["2026-11-22"],
        ["periodStart"] = ["2026-04-01"], ["periodEnd"] = ["2027-03-31"], ["reportType"] = ["summary"],
        ["groupBy"] = ["prison", "localAuthority", "provider", "substanceGroup", "month"], ["stratifier"] = ["prison", "provider"],
        ["format"] = ["csv", "json"], ["pdu"] = ["N56NNE"], ["status"] = ["pending", "at-risk", "due", "failed", "requested", "accepted", "active"],
        ["limit"] = ["10", "1", "500"], ["page"] = ["1", "2"], ["state"] = ["pending", "sent", "failed"], ["owner"] = ["EXS2SN"],
        ["performer"] = ["EXS2SN"], ["_count"] = ["10", "1"], ["_offset"] = ["0", "1"], ["returnUrl"] = ["/dashboard"],
        ["_lastUpdated"] = ["ge2026-11-01", "lt2026-12-01T00:00:00Z"], ["patient.identifier"] = ["https://fhir.nhs.uk/Id/nhs-number|9434765919"],
    };

    private static readonly string[] Roles = [HubRoles.PrisonHealthcare, HubRoles.TreatmentProvider, HubRoles.Probation, HubRoles.Commissioner, HubRoles.EventFeed, HubRoles.Admin];

    [Fact]
    public async Task Every_endpoint_answers_malformed_requests_without_a_5xx_and_a_rejected_request_writes_nothing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_REQUESTS"), out var n) ? n : DefaultRequests;
        var random = new Random(seed);
        var malformed = new Malformed(random);
        hub.StartServer();

        // Valid data to aim at: referrals, notifications, people, episodes.
        var clients = Clients();
        var known = await SetUpAsync(clients["prison"], clients["provider"]);
        var good = new Dictionary<string, IReadOnlyList<string>>
        {
            ["notificationId"] = known.NotificationIds, ["referralId"] = known.ReferralIds, ["personId"] = [.. known.NomsNumbers, "X123456"],
            ["id"] = [.. known.ReferralIds, .. known.PersonIds, "continuity-of-care-21-days", "EXS2SN", "ONI"], ["documentName"] = ["v1"],
            ["episodeId"] = known.EpisodeIds,
        };
        GoodQueryValues["episodeId"] = [.. known.EpisodeIds];
        GoodQueryValues["focus"] = [.. known.ReferralIds];

        JsonNode Notification()
        {
            var notification = Notifications.Example(nomsNumber: Noms(random));
            notification["notificationId"] = RandomGuid(random).ToString();
            return notification;
        }
        JsonNode Event()
        {
            var noms = random.Next(3) == 0 ? malformed.Pick(known.NomsNumbers) : Noms(random);
            var at = $"2026-11-{random.Next(1, 22):D2}T{random.Next(0, 24):D2}:00:00Z";
            JsonObject ev = random.Next(4) switch
            {
                0 => HmppsEvents.Admission(noms, at),
                1 => HmppsEvents.Event("probation-case.prison-identifier.added", at, new JsonObject { ["nomsNumber"] = noms, ["crn"] = "X123456" }, "linked", noms),
                2 => HmppsEvents.Event("some.other.event", at, new JsonObject { ["nomsNumber"] = noms }, "other", null),
                _ => HmppsEvents.Release(noms, at),
            };
            return random.Next(2) == 0 ? HmppsEvents.Envelope(ev, RandomGuid(random).ToString()) : ev;
        }
        JsonNode Task(string id)
        {
            var task = known.Task.DeepClone();
            task["id"] = id;
            task["status"] = malformed.Pick(["accepted", "rejected", "in-progress", "completed"]);
            task["statusReason"] = new JsonObject { ["text"] = "No capacity" };
            task["executionPeriod"] = new JsonObject { ["start"] = "2026-11-22" };
            return task;
        }

        // Every endpoint the hub maps, from its own routing: known body endpoints, forms found on its pages, the rest generic.
        var endpoints = hub.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (Method: method, Pattern: Normalised(e.RoutePattern.RawText!), Parameters: e.RoutePattern.Parameters.Select(p => p.Name).ToList())))
            .Where(e => e.Method is not ("HEAD" or "OPTIONS"))
            .DistinctBy(e => $"{e.Method} {e.Pattern}")
            .ToList();
        var targets = KnownTargets(Notification, Event, Task).ToList();
        var browsers = await BrowsersAsync();
        var forms = await DiscoverFormsAsync(endpoints.Where(e => e.Method == "GET").Select(e => e.Pattern), browsers, good, random);
        // A Razor page declares no HTTP methods: the forms its pages render are what it takes in, so each form found
        // on a page is fuzzed against the endpoint its action names.
        foreach (var form in forms.Where(f => !endpoints.Any(e => e.Method == "POST" && Matches(e.Pattern, f.Action))).DistinctBy(f => f.Action))
        {
            var page = endpoints.FirstOrDefault(e => Matches(e.Pattern, form.Action));
            var formQuery = form.Action.Contains('?') ? form.Action[form.Action.IndexOf('?')..] : "";
            if (page.Pattern is not null && !targets.Any(t => t.Key == $"POST {page.Pattern}" && t.FormQuery == formQuery))
                targets.Add(new() { Method = "POST", Pattern = page.Pattern, Body = BodyKind.Form, Clients = [form.Browser], FormPage = form.Page,
                    FormFields = form.Fields, FormQuery = formQuery, ContentTypes = ["application/x-www-form-urlencoded"] });
        }
        foreach (var (method, pattern, parameters) in endpoints)
        {
            if (targets.Any(t => t.Key == $"{method} {pattern}")) continue;
            if (method is "POST" or "PUT" or "PATCH" or "DELETE")
            {
                var form = forms.FirstOrDefault(f => Matches(pattern, f.Action));
                if (form is not null)
                    targets.Add(new() { Method = method, Pattern = pattern, Body = BodyKind.Form, Clients = [form.Browser], FormPage = form.Page,
                        FormFields = form.Fields, ContentTypes = ["application/x-www-form-urlencoded"] });
                else
                    targets.Add(new() { Method = method, Pattern = pattern, Body = BodyKind.None, Clients = ["unknown-body"] });
                continue;
            }
            var ui = !pattern.StartsWith("/api/", StringComparison.Ordinal) && !pattern.StartsWith("/fhir", StringComparison.Ordinal);
            targets.Add(new() { Method = method, Pattern = pattern, Query = QueryParameters.GetValueOrDefault(pattern, []),
                Clients = ui ? [.. browsers.Keys] : [.. clients.Keys] });
        }
        var unfuzzable = targets.Where(t => t.Clients is ["unknown-body"]).Select(t => t.Key).ToList();
        Assert.True(unfuzzable.Count == 0,
            "These endpoints read a body but the fuzzer has no valid body for them: add them to FuzzTests.KnownTargets " +
            $"(or render their form on a page): {string.Join(", ", unfuzzable)}");
        output.WriteLine($"Fuzzing {targets.Count} targets ({endpoints.Count} endpoints, {targets.Count(t => t.Body == BodyKind.Form)} form posts) with seed {seed}.");

        await using var fingerprint = await DatabaseFingerprint.OpenAsync(hub.ConnectionString);
        var before = await fingerprint.TakeAsync();
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        var logLinesBefore = hub.Log.Lines.Count;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count && failures.Count < 20; i++)
        {
            // Body endpoints weigh three times as much: they have the most to get wrong.
            var target = malformed.Chance(0.6) ? malformed.Pick(targets.Where(t => t.Body != BodyKind.None).ToList()) : malformed.Pick(targets);
            using var request = await BuildAsync(target, malformed, good, browsers);
            var client = ClientFor(target, malformed, clients, browsers);
            var description = $"#{i} {request.Method} {Shorten(request.RequestUri!.OriginalString)} as {client.Name} [{request.Content?.Headers.ContentType}] {Shorten(request.Content is null ? "" : Encoding.UTF8.GetString(await request.Content.ReadAsByteArrayAsync()))}";
            HttpResponseMessage response;
            try
            {
                response = await client.Http.SendAsync(request);
            }
            catch (HttpRequestException e)
            {
                failures.Add($"{description} → no answer ({e.Message})");
                continue;
            }
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (client.Browser is { } browser && response.StatusCode == HttpStatusCode.Redirect
                && response.Headers.Location?.OriginalString.StartsWith(DevSignIn.Path, StringComparison.Ordinal) == true)
                browser.SignedOut = true;
            if (status == 200 && request.RequestUri.OriginalString.StartsWith(UiAuthentication.SignOutPath, StringComparison.Ordinal) && client.Browser is { } signedOut)
                signedOut.SignedOut = true;
            var after = await fingerprint.TakeAsync();
            if (status >= 500 && !(status == 503 && target.Pattern.StartsWith("/health", StringComparison.Ordinal)))
                failures.Add($"{description} → {status}: {Shorten(await response.Content.ReadAsStringAsync())}");
            else if (status is >= 400 and < 500 && after != before)
                failures.Add($"{description} → {status} but the database changed: {Difference(before, after)}");
            before = after;
            response.Dispose();
        }
        clock.Stop();
        var errors = hub.Log.Lines.Skip(logLinesBefore).Where(l => l.Contains("\"Level\":\"Error\"") || l.Contains("\"Level\":\"Fatal\""))
            .Where(l => l.Contains("Unhandled") || l.Contains(InputRejectedByDatabase.LogMessage) || l.Contains("failed to process") || l.Contains("Batch row"))
            .Take(10).ToList();

        output.WriteLine($"Sent {statuses.Values.Sum()} requests in {clock.Elapsed.TotalSeconds:F1} s (seed {seed}): " +
            string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}×{p.Value}")));
        Assert.True(failures.Count == 0 && errors.Count == 0,
            $"Seed {seed} (run again with FUZZ_SEED={seed}):\n{string.Join("\n", failures)}\n{string.Join("\n", errors.Select(e => Shorten(e, 600)))}");
        Assert.True(statuses.Values.Sum() >= count, $"Only {statuses.Values.Sum()} of {count} requests were answered.");
        // The fuzz reached past the outer checks: valid requests were taken in, and requests refused for their content.
        Assert.True(statuses.GetValueOrDefault(201) > 0 && statuses.GetValueOrDefault(422) > 0 && statuses.GetValueOrDefault(400) > 0,
            string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}")));
    }

    // ---- requests ----

    private async Task<HttpRequestMessage> BuildAsync(FuzzTarget target, Malformed malformed, Dictionary<string, IReadOnlyList<string>> good,
        Dictionary<string, BrowserClient> browsers)
    {
        var routeValues = new Dictionary<string, string>();
        var path = RouteParameter().Replace(target.Pattern, match =>
        {
            var name = match.Groups["name"].Value;
            var value = malformed.Chance(0.7) && good.TryGetValue(name, out var values) && values.Count > 0
                ? Uri.EscapeDataString(malformed.Pick(values))
                : malformed.RouteValue(good.GetValueOrDefault(name, []));
            routeValues[name] = Uri.UnescapeDataString(value);
            return value;
        });
        var query = Query(target, malformed);
        if (target.FormQuery.Length > 0) query = target.FormQuery + (query.Length > 0 ? "&" + query[1..] : "");
        var request = new HttpRequestMessage(new HttpMethod(target.Method), path + query);
        foreach (var (name, value) in target.Headers)
            request.Headers.TryAddWithoutValidation(name, malformed.Chance(0.1) ? new string(malformed.OddText().Where(c => c is >= ' ' and <= '~').ToArray()) : value);

        var valid = malformed.Chance(0.15);
        byte[]? body = null;
        var contentType = target.ContentTypes.Count > 0 ? malformed.Pick(target.ContentTypes) : null;
        switch (target.Body)
        {
            case BodyKind.Json:
                var json = target.ValidJson!();
                if (json is JsonObject { } task && task["id"]?.GetValue<string>() == "{id}") task["id"] = routeValues.GetValueOrDefault("id", "x");
                body = valid ? Encoding.UTF8.GetBytes(json.ToJsonString()) : malformed.MutateJson(json);
                break;
            case BodyKind.Csv:
                var csv = target.ValidCsv!();
                body = valid ? Encoding.UTF8.GetBytes(csv) : malformed.MutateCsv(csv);
                break;
            case BodyKind.Form:
                var browser = browsers[target.Clients[0]];
                if (browser.SignedOut || target.FormFields is null)
                {
                    await browser.SignInAsync();
                    using var page = await browser.Http.GetAsync(target.FormPage);
                    var forms = Forms(await page.Content.ReadAsStringAsync(), target.FormPage!, browser.Name);
                    target.FormFields = forms.FirstOrDefault(f => Matches(target.Pattern, f.Action) && f.Action.EndsWith(target.FormQuery, StringComparison.Ordinal))?.Fields ?? target.FormFields;
                }
                var fields = valid ? target.FormFields!.ToList() : malformed.MutateForm(target.FormFields!);
                body = Encoding.UTF8.GetBytes(string.Join("&", fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}")));
                break;
        }
        if (body is null && target.Method is "GET" && malformed.Chance(0.05)) body = malformed.RandomBytes(malformed.Random.Next(1, 64));
        if (body is not null)
        {
            // Now and then the wrong content type, none, or a broken one.
            if (!valid && malformed.Chance(0.1))
                contentType = malformed.Pick<string?>([null, "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
                    "application/x-www-form-urlencoded", "text/csv", "application/json; charset=\"", "*/*", "application/problem+json"]);
            request.Content = new ByteArrayContent(body);
            if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        return request;
    }

    private static string Query(FuzzTarget target, Malformed malformed)
    {
        var parts = new List<string>();
        foreach (var name in target.Query)
        {
            if (!malformed.Chance(0.5)) continue;
            var value = malformed.Chance(0.6) && GoodQueryValues.TryGetValue(name, out var values) ? Uri.EscapeDataString(malformed.Pick(values)) : malformed.OddQueryValue();
            parts.Add($"{Uri.EscapeDataString(name)}={value}");
            if (malformed.Chance(0.1)) parts.Add($"{Uri.EscapeDataString(name)}={malformed.OddQueryValue()}");
        }
        if (malformed.Chance(target.Query.Count == 0 ? 0.3 : 0.1))
            parts.Add($"{(malformed.Chance(0.5) ? "unknown" : Uri.EscapeDataString(malformed.OddText()))}={malformed.OddQueryValue()}");
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    private static (string Name, HttpClient Http, BrowserClient? Browser) ClientFor(FuzzTarget target, Malformed malformed,
        Dictionary<string, HttpClient> clients, Dictionary<string, BrowserClient> browsers)
    {
        if (target.Body == BodyKind.Form)
        {
            var browser = browsers[target.Clients[0]];
            return (browser.Name, browser.Http, browser);
        }
        var name = malformed.Chance(0.85) && target.Clients.Count > 0 ? malformed.Pick(target.Clients) : malformed.Pick(clients.Keys.Concat(browsers.Keys).ToList());
        return browsers.TryGetValue(name, out var chosen) ? (name, chosen.Http, chosen) : (name, clients[name], null);
    }

    // ---- set-up ----

    private Dictionary<string, HttpClient> Clients()
    {
        HttpClient Client(string? token)
        {
            var client = hub.HttpClient(cookies: false);
            if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }
        return new()
        {
            ["prison"] = Client(hub.Token(HubRoles.PrisonHealthcare, prisons: ["ONI"])),
            ["probation"] = Client(hub.Token(HubRoles.Probation, pdus: ["N56NNE"])),
            ["probation-all"] = Client(hub.Token(HubRoles.Probation, pdus: ["*"])),
            ["provider"] = Client(hub.Token(HubRoles.TreatmentProvider, ods: "EXS2SN")),
            ["commissioner"] = Client(hub.Token(HubRoles.Commissioner)),
            ["feed"] = Client(hub.Token(HubRoles.EventFeed)),
            ["admin"] = Client(hub.Token(HubRoles.Admin)),
            ["anonymous"] = Client(null),
            ["bad-token"] = Client("not.a.token"),
        };
    }

    private sealed record Known(List<string> NotificationIds, List<string> ReferralIds, List<string> EpisodeIds, List<string> NomsNumbers, List<string> PersonIds)
    {
        /// <summary>A Task as the hub serves it: the body a provider PUTs back, changed.</summary>
        public JsonNode Task { get; set; } = new JsonObject();
    }

    private async Task<Known> SetUpAsync(HttpClient prison, HttpClient provider)
    {
        var known = new Known([], [], [], [], []);
        for (var i = 0; i < 3; i++)
        {
            var notification = Notifications.Example();
            var response = await prison.PostAsync("/api/v1/releases", new StringContent(notification.ToJsonString(), Encoding.UTF8, "application/json"));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
            known.NotificationIds.Add(notification["notificationId"]!.GetValue<string>());
            known.ReferralIds.Add(body["referralId"]!.GetValue<string>());
            known.EpisodeIds.Add(body["episodeId"]!.GetValue<string>());
            known.NomsNumbers.Add(notification["person"]!["nomsNumber"]!.GetValue<string>());
        }
        await using var db = hub.Db();
        known.PersonIds.AddRange(await db.People.Select(p => p.Id.ToString()).ToListAsync());
        known.Task = JsonNode.Parse(await provider.GetStringAsync($"/fhir/Task/{known.ReferralIds[0]}"))!;
        return known;
    }

    /// <summary>A browser signed in as one role through the development sign-in form, and one signed in as nobody.</summary>
    private sealed class BrowserClient(string name, HttpClient http, string? role)
    {
        public string Name => name;
        public HttpClient Http => http;
        public bool SignedOut { get; set; } = true;

        public async Task SignInAsync()
        {
            SignedOut = false;
            if (role is null) return;
            var response = await http.SubmitSignInAsync(new()
            {
                ["name"] = "Fuzz Tester", ["role"] = role, ["prisons"] = "ONI", ["ods"] = "EXS2SN", ["pdu"] = "N56NNE",
            });
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }
    }

    private async Task<Dictionary<string, BrowserClient>> BrowsersAsync()
    {
        var browsers = new Dictionary<string, BrowserClient>();
        foreach (var role in Roles.Append(null))
        {
            var http = hub.HttpClient(cookies: true);
            var browser = new BrowserClient($"browser:{role ?? "signed-out"}", http, role);
            await browser.SignInAsync();
            browsers[browser.Name] = browser;
        }
        return browsers;
    }

    // ---- forms on the hub's pages ----

    private sealed record FoundForm(string Page, string Action, string Browser, IReadOnlyList<KeyValuePair<string, string>> Fields);

    /// <summary>Every form that posts, on every page without route parameters (or with known values), as every browser sees it.</summary>
    private static async Task<List<FoundForm>> DiscoverFormsAsync(IEnumerable<string> getPatterns, Dictionary<string, BrowserClient> browsers,
        Dictionary<string, IReadOnlyList<string>> good, Random random)
    {
        var found = new List<FoundForm>();
        foreach (var pattern in getPatterns.Where(p => !p.StartsWith("/api/", StringComparison.Ordinal) && !p.StartsWith("/fhir", StringComparison.Ordinal)
                     && !p.StartsWith("/health", StringComparison.Ordinal) && !p.StartsWith("/openapi", StringComparison.Ordinal)))
        {
            var missing = false;
            var page = RouteParameter().Replace(pattern, match =>
            {
                if (good.TryGetValue(match.Groups["name"].Value, out var values) && values.Count > 0) return Uri.EscapeDataString(values[random.Next(values.Count)]);
                missing = true;
                return "x";
            });
            if (missing) continue;
            foreach (var browser in browsers.Values)
            {
                using var response = await browser.Http.GetAsync(page);
                if (response.Content.Headers.ContentType?.MediaType != "text/html") continue;
                found.AddRange(Forms(await response.Content.ReadAsStringAsync(), page, browser.Name));
            }
        }
        return found;
    }

    private static List<FoundForm> Forms(string html, string page, string browser) =>
        FormElement().Matches(html)
            .Where(m => Attribute(m.Groups["tag"].Value, "method")?.Equals("post", StringComparison.OrdinalIgnoreCase) == true)
            .Select(m => new FoundForm(page, WebUtility.HtmlDecode(Attribute(m.Groups["tag"].Value, "action") ?? page), browser,
                Fields(m.Groups["body"].Value)))
            .ToList();

    private static List<KeyValuePair<string, string>> Fields(string formBody)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (Match input in InputElement().Matches(formBody))
        {
            var tag = input.Groups["tag"].Value;
            var kind = input.Groups["kind"].Value.ToLowerInvariant();
            if (Attribute(tag, "name") is not { } name) continue;
            var value = kind switch
            {
                "select" => Attribute(SelectedOption().Match(input.Groups["inner"].Value) is { Success: true } option ? option.Value : "", "value") ?? "",
                "textarea" => input.Groups["inner"].Value,
                _ => Attribute(tag, "value") ?? "",
            };
            if (kind == "input" && Attribute(tag, "type") is "checkbox" or "radio" && !tag.Contains(" checked", StringComparison.Ordinal)) continue;
            fields.Add(new(WebUtility.HtmlDecode(name), WebUtility.HtmlDecode(value)));
        }
        return fields;
    }

    private static string? Attribute(string tag, string name) =>
        Regex.Match(tag, $"\\s{name}=\"(?<v>[^\"]*)\"", RegexOptions.IgnoreCase) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups["v"].Value) : null;

    private static bool Matches(string pattern, string action) =>
        Regex.IsMatch(action.Split('?')[0], "^" + RouteParameter().Replace(Regex.Escape(pattern).Replace("\\{", "{"), "[^/]+") + "/?$");

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?\??\}")] private static partial Regex RouteParameter();
    [GeneratedRegex(@"<form(?<tag>[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)] private static partial Regex FormElement();
    [GeneratedRegex(@"<(?<kind>input|select|textarea)(?<tag>[^>]*)>((?<inner>.*?)</\k<kind>>)?", RegexOptions.Singleline | RegexOptions.IgnoreCase)] private static partial Regex InputElement();
    [GeneratedRegex(@"<option[^>]*\sselected[^>]*>|<option[^>]*>", RegexOptions.IgnoreCase)] private static partial Regex SelectedOption();

    // ---- helpers ----

    /// <summary>A group's "" route is "/prefix/", a Razor page's has no leading slash: both the same path as "/prefix".</summary>
    private static string Normalised(string pattern) => "/" + pattern.Trim('/');

    private static string Csv(params JsonNode[] notifications)
    {
        var header = "notificationId,nomsNumber,givenName,familyName,dateOfBirth,prisonCode,releaseDate,status,substances,consentToShare,probationPduCode,postcode";
        var rows = notifications.Select(n => string.Join(",", n["notificationId"], n["person"]!["nomsNumber"], "Sam", "Example", "1985-03-14", "ONI",
            "2026-12-01", "planned", "opiates;crack", "true", "N56NNE", "NN17 1AA"));
        return header + "\n" + string.Join("\n", rows) + "\n";
    }

    private static string Noms(Random random) =>
        $"{(char)('A' + random.Next(26))}{random.Next(10_000):D4}{(char)('A' + random.Next(26))}{(char)('A' + random.Next(26))}";

    private static Guid RandomGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private static string Difference(string before, string after) =>
        string.Join(" ", after.Split(' ').Except(before.Split(' ')));

    private static string Shorten(string text, int length = 300) =>
        (text.Length <= length ? text : text[..length] + "…").Replace("\n", "\\n").Replace("\r", "\\r");
}
