using System.Globalization;
using System.Text;
using ContinuityHub.Data;
using ContinuityHub.Features.Referrals;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using Hl7.Fhir.Utility;
using Microsoft.EntityFrameworkCore;
using FhirTask = Hl7.Fhir.Model.Task;

namespace ContinuityHub.Features.Fhir;

/// <summary>
/// <c>PUT /fhir/Task/{id}</c> with <c>If-Match</c> (contract §5): a provider moves its Task by the same
/// state machine as the JSON conveniences. The status is what changes; for <c>rejected</c> the reason is
/// <c>statusReason.text</c>, for <c>in-progress</c> the engagement date is <c>executionPeriod.start</c>.
/// The body is parsed by the Firely SDK: one it cannot parse is 400 (FHIR's answer for a resource that "could
/// not be parsed or failed basic FHIR validation rules"; 422 is kept for the state machine's business rules),
/// with an OperationOutcome issue per problem at the parser's FHIRPath.
/// </summary>
public static class FhirTaskUpdateEndpoint
{
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Maps the update on the /fhir group (<see cref="FhirApi"/>).</summary>
    public static void MapFhirTaskUpdate(this IEndpointRouteBuilder fhir) => fhir.MapPut("/Task/{id}", UpdateAsync);

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, ReferralActions actions, HubDbContext db,
        FhirReferralMapper mapper, CancellationToken ct)
    {
        var referralId = Guid.TryParse(id, out var parsed) ? parsed : Guid.Empty;
        var currentStatus = await db.Referrals.Where(r => r.Id == referralId).Select(r => r.TaskStatus).SingleOrDefaultAsync(ct);
        if (currentStatus is null)
            return FhirReadEndpoints.Refusal(StatusCodes.Status404NotFound, "not-found", "This Task is not known.");
        if (!TryParseIfMatch(context.Request.Headers.IfMatch.ToString(), out var expectedVersion))
            return FhirReadEndpoints.Refusal(StatusCodes.Status428PreconditionRequired, "required",
                "Send If-Match with the Task's ETag (W/\"version\") so a stale copy cannot overwrite a newer one.");

        var body = await BoundedBody.ReadAsync(context.Request, MaxBodyBytes, ct);
        if (body is null) return FhirReadEndpoints.Refusal(StatusCodes.Status413PayloadTooLarge, "too-costly", $"A Task may be at most {MaxBodyBytes / 1024} KiB.");
        // The same JSON checks as every other body before the FHIR parser sees it (lone surrogates, NUL, numbers, duplicates).
        if (!JsonBody.TryRead(body, out var checkedJson, out var refusal))
            return FhirReadEndpoints.Refusal(refusal!.Status, refusal.Status == StatusCodes.Status400BadRequest ? "structure" : "invalid", $"The body cannot be read: {string.Join(" ", refusal.Problems.Select(p => $"{p.Pointer} {p.Detail}".Trim()))}", "Task");
        checkedJson!.Dispose();
        var read = FhirJson.Parse<FhirTask>(Encoding.UTF8.GetString(body));
        if (read.Resource is not { } task) return new FhirResult(read.Problems!, StatusCodes.Status400BadRequest);
        if (task.Id != id) return Invalid("Task.id must be the id in the URL.", "Task.id");
        if (task.StatusReason?.Text is { } reasonText && reasonText.Trim().Length > TextLimits.RejectionReason)
            return FhirReadEndpoints.Refusal(StatusCodes.Status422UnprocessableEntity, "too-long",
                $"statusReason.text may be at most {TextLimits.RejectionReason} characters.", "Task.statusReason.text");

        var user = HubUser.From(context);
        var status = task.Status?.GetLiteral();
        var outcome = status switch
        {
            TaskStatuses.Accepted => await actions.AcceptAsync(referralId, user, ct, expectedVersion),
            TaskStatuses.Rejected when string.IsNullOrWhiteSpace(task.StatusReason?.Text) => null,
            TaskStatuses.Rejected => await actions.RejectAsync(referralId, task.StatusReason!.Text!.Trim(), user, ct, expectedVersion),
            TaskStatuses.InProgress when StartDate(task) is { } engagedOn =>
                await actions.RecordEngagementAsync(referralId, engagedOn, user, ct, expectedVersion),
            // A failed Task completes through a late engagement dated inside the window (§7).
            TaskStatuses.Completed when currentStatus == TaskStatuses.Failed && StartDate(task) is { } lateEngagement =>
                await actions.RecordEngagementAsync(referralId, lateEngagement, user, ct, expectedVersion),
            TaskStatuses.Completed => await actions.CompleteAsync(referralId, user, ct, expectedVersion),
            _ => null,
        };
        if (outcome is null)
        {
            return status switch
            {
                TaskStatuses.Rejected => Invalid("A rejection needs its reason in statusReason.text.", "Task.statusReason"),
                TaskStatuses.InProgress => Invalid("in-progress means engaged: give the first attended intervention's date in executionPeriod.start.", "Task.executionPeriod.start"),
                _ => FhirReadEndpoints.Refusal(StatusCodes.Status422UnprocessableEntity, "business-rule",
                    "A provider may set status accepted, rejected, in-progress or completed.", "Task.status"),
            };
        }
        return outcome switch
        {
            ActionOutcome.Done done => await CurrentTask(db, mapper, done.State.ReferralId, ct),
            ActionOutcome.Stale stale => FhirReadEndpoints.Refusal(StatusCodes.Status412PreconditionFailed, "conflict",
                $"The Task has changed since version {expectedVersion} (it is at version {stale.CurrentVersion}); read it again."),
            ActionOutcome.Forbidden forbidden => FhirReadEndpoints.Refusal(StatusCodes.Status403Forbidden, "forbidden", forbidden.Detail),
            ActionOutcome.Refused refused => FhirReadEndpoints.Refusal(StatusCodes.Status422UnprocessableEntity, "business-rule",
                refused.Problem.Detail, refused.Problem.Pointer == "/date" ? "Task.executionPeriod.start" : "Task.status"),
            _ => FhirReadEndpoints.Refusal(StatusCodes.Status404NotFound, "not-found", "This Task is not known."),
        };
    }

    private static async Task<IResult> CurrentTask(HubDbContext db, FhirReferralMapper mapper, Guid referralId, CancellationToken ct)
    {
        var referral = await db.Referrals.AsNoTracking().Include(r => r.Episode).SingleAsync(r => r.Id == referralId, ct);
        return FhirReadEndpoints.Resource(mapper.Task(referral, referral.Episode!), referral.Version.ToString(CultureInfo.InvariantCulture));
    }

    private static DateOnly? StartDate(FhirTask task) =>
        task.ExecutionPeriod?.Start is { Length: >= 10 } start && ClientDates.ParseDate(start[..10]) is { } date && ClientDates.InRange(date) ? date : null;

    /// <summary>W/"3" or "3".</summary>
    private static bool TryParseIfMatch(string header, out int version)
    {
        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        return int.TryParse(value.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    private static IResult Invalid(string diagnostics, string expression) =>
        FhirReadEndpoints.Refusal(StatusCodes.Status400BadRequest, "invalid", diagnostics, expression);
}
