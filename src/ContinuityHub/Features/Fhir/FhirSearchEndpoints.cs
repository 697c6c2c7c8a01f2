using System.Globalization;
using ContinuityHub.Audit;
using ContinuityHub.Data;
using ContinuityHub.Features.Referrals;
using ContinuityHub.Infrastructure;
using ContinuityHub.Mappings;
using ContinuityHub.Security;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace ContinuityHub.Features.Fhir;

/// <summary>
/// Searches (contract §5): <c>ServiceRequest?performer=&amp;status=&amp;patient.identifier=system|value&amp;_lastUpdated=&amp;_count=</c>
/// and <c>Task?owner=&amp;status=&amp;focus=</c>, answered as searchset Bundles with self/next links. Only
/// referrals the caller may see are searched; an unknown parameter is refused rather than silently ignored.
/// </summary>
public static class FhirSearchEndpoints
{
    public const int DefaultCount = 20;
    public const int MaxCount = 100;

    public static readonly IReadOnlyDictionary<string, (string Name, string Type)[]> Parameters = new Dictionary<string, (string, string)[]>
    {
        ["ServiceRequest"] = [("performer", "reference"), ("status", "token"), ("patient.identifier", "token"), ("_lastUpdated", "date")],
        ["Task"] = [("owner", "reference"), ("status", "token"), ("focus", "reference")],
    };

    /// <summary>Maps the searches on the /fhir group (<see cref="FhirApi"/>).</summary>
    public static void MapFhirSearches(this IEndpointRouteBuilder fhir)
    {
        fhir.MapGet("/ServiceRequest", (HttpContext context, HubDbContext db, FhirReferralMapper mapper, ReferenceData mappings, AuditTrail audit, CancellationToken ct) =>
            Search("ServiceRequest", context, db, audit, (r, e) => mapper.ServiceRequest(r, e), mappings, ct));
        fhir.MapGet("/Task", (HttpContext context, HubDbContext db, FhirReferralMapper mapper, ReferenceData mappings, AuditTrail audit, CancellationToken ct) =>
            Search("Task", context, db, audit, (r, e) => mapper.Task(r, e), mappings, ct));
    }

    private static async Task<IResult> Search(string type, HttpContext context, HubDbContext db, AuditTrail audit,
        Func<Referral, Episode, Resource> map, ReferenceData mappings, CancellationToken ct)
    {
        var query = context.Request.Query;
        var allowed = Parameters[type].Select(p => p.Name).Concat(["_count", "_offset"]).ToHashSet();
        var unknown = query.Keys.Where(k => !allowed.Contains(k)).ToList();
        if (unknown.Count > 0)
            return FhirReadEndpoints.Refusal(StatusCodes.Status400BadRequest, "not-supported",
                $"Unsupported search parameter(s): {string.Join(", ", unknown.Select(u => u.Length <= 40 ? u : u[..40]))}. Supported: {string.Join(", ", allowed)}.");

        var count = int.TryParse(query["_count"], NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? Math.Clamp(c, 1, MaxCount) : DefaultCount;
        var offset = int.TryParse(query["_offset"], NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;

        var referrals = CallerScope.Of(HubUser.From(context)).Referrals(db.Referrals.AsNoTracking().Include(r => r.Episode).ThenInclude(e => e!.Person));
        var organisation = (string? value) => value?.Replace("Organization/", "", StringComparison.Ordinal);
        if (type == "ServiceRequest")
        {
            if (organisation(query["performer"]) is { Length: > 0 } performer) referrals = referrals.Where(r => r.ProviderOds == performer);
            if (query["status"].ToString() is { Length: > 0 } status)
            {
                string[] statuses = status switch
                {
                    "active" => [TaskStatuses.Requested, TaskStatuses.Accepted, TaskStatuses.InProgress, TaskStatuses.Failed],
                    "revoked" => [TaskStatuses.Rejected, TaskStatuses.Cancelled],
                    "completed" => [TaskStatuses.Completed],
                    _ => [],
                };
                referrals = referrals.Where(r => statuses.Contains(r.TaskStatus));
            }
            if (query["patient.identifier"].ToString() is { Length: > 0 } identifier)
            {
                var (system, value) = identifier.Split('|') is [var s, var v] ? (s, v) : ("", identifier);
                if (system == mappings.Systems["nhsNumber"]) referrals = referrals.Where(r => r.Episode!.Person!.NhsNumber == value);
                else if (system == mappings.Systems["crn"]) referrals = referrals.Where(r => r.Episode!.Person!.Crn == value);
                else if (system == mappings.Systems["nomsNumber"] || system == "") referrals = referrals.Where(r => r.Episode!.NomsNumber == value);
                else return FhirReadEndpoints.Refusal(StatusCodes.Status400BadRequest, "not-supported",
                    "patient.identifier takes an NHS number, NOMS number or CRN system (see mappings/fhir-systems.json).", "ServiceRequest.subject");
            }
            foreach (var bound in query["_lastUpdated"])
            {
                if (!TryParseDateBound(bound, out var prefix, out var instant))
                    return FhirReadEndpoints.Refusal(StatusCodes.Status400BadRequest, "invalid", "_lastUpdated takes gt, ge, lt or le and a date, e.g. ge2026-11-01.");
                referrals = prefix switch
                {
                    "gt" => referrals.Where(r => r.UpdatedAt > instant),
                    "ge" => referrals.Where(r => r.UpdatedAt >= instant),
                    "lt" => referrals.Where(r => r.UpdatedAt < instant),
                    _ => referrals.Where(r => r.UpdatedAt <= instant),
                };
            }
        }
        else
        {
            if (organisation(query["owner"]) is { Length: > 0 } owner) referrals = referrals.Where(r => r.ProviderOds == owner);
            if (query["status"].ToString() is { Length: > 0 } status) referrals = referrals.Where(r => r.TaskStatus == status);
            if (query["focus"].ToString().Replace("ServiceRequest/", "", StringComparison.Ordinal) is { Length: > 0 } focus)
                referrals = Guid.TryParse(focus, out var focusId) ? referrals.Where(r => r.Id == focusId) : referrals.Where(_ => false);
        }

        var total = await referrals.CountAsync(ct);
        var page = await referrals.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).Skip(offset).Take(count).ToListAsync(ct);
        foreach (var referral in page) audit.Record("fhir.search", type, referral.Id.ToString());
        await db.SaveChangesAsync(ct);

        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}/fhir/{type}";
        string Link(int at) => baseUrl + "?" + string.Join("&", query.Where(q => q.Key is not ("_offset" or "_count"))
            .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .Append($"_count={count}").Append($"_offset={at}"));
        var links = new List<Bundle.LinkComponent> { new() { Relation = "self", Url = Link(offset) } };
        if (offset + count < total) links.Add(new Bundle.LinkComponent { Relation = "next", Url = Link(offset + count) });
        if (offset > 0) links.Add(new Bundle.LinkComponent { Relation = "previous", Url = Link(Math.Max(0, offset - count)) });

        return FhirReadEndpoints.Resource(new Bundle
        {
            Id = Guid.NewGuid().ToString(),
            Type = Bundle.BundleType.Searchset,
            Total = total,
            Link = links,
            Entry = page.Select(r => new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/{r.Id}",
                Resource = map(r, r.Episode!),
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            }).ToList(),
        }, null);
    }

    private static bool TryParseDateBound(string? text, out string prefix, out DateTimeOffset instant)
    {
        prefix = text is { Length: > 2 } && text[..2] is "gt" or "ge" or "lt" or "le" ? text[..2] : "eq";
        var value = prefix == "eq" ? text : text![2..];
        instant = default;
        if (prefix == "eq") return false;
        if (ClientDates.ParseDate(value) is { } date)
        {
            instant = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return ClientDates.InRange(date);
        }
        if (ClientDates.ParseInstant(value, DateTimeStyles.AssumeUniversal) is not { } parsed || !ClientDates.InRange(parsed)) return false;
        instant = parsed.ToUniversalTime();
        return true;
    }
}
