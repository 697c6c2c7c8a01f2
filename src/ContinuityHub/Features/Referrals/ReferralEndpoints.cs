using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Features.Releases;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;

namespace ContinuityHub.Features.Referrals;

/// <summary>
/// JSON conveniences over the referral's closed loop for the UI and simple clients (contract §5); the same
/// state machine as the FHIR Task update.
/// </summary>
public static class ReferralEndpoints
{
    private const int MaxBodyBytes = 16 * 1024;

    public static void AddReferralActions(this WebApplicationBuilder builder) =>
        builder.Services.AddScoped<ReferralActions>().AddScoped<ReferralInbox>().AddScoped<ReferralRecord>();

    public static void MapReferralActions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/referrals/{referralId:guid}")
            .RequireAuthorization(policy => policy.RequireRole(HubRoles.TreatmentProvider))
            .WithTags("Referrals");
        group.MapPost("/accept", (Guid referralId, HttpContext context, ReferralActions actions, CancellationToken ct) =>
            Answer(actions.AcceptAsync(referralId, HubUser.From(context), ct)))
            .WithSummary("Accept the referral").Describe();
        group.MapPost("/reject", async (Guid referralId, HttpContext context, ReferralActions actions, CancellationToken ct) =>
            await WithBody(context, (read, body) => read.String(body, "reason", "/reason", required: true, ReferralActions.RejectionReasonMaxLength), ct) switch
            {
                (null, var problems) => ApiProblems.Validation(problems!),
                (var reason, _) => await Answer(actions.RejectAsync(referralId, reason!, HubUser.From(context), ct)),
            })
            .WithSummary("Reject the referral, with a reason").Accepts<RejectReferralRequest>("application/json").Describe();
        group.MapPost("/appointments", async (Guid referralId, HttpContext context, ReferralActions actions, CancellationToken ct) =>
            await WithBody(context, (read, body) => read.Date(body, "date", "/date", required: true), ct) switch
            {
                (null, var problems) => ApiProblems.Validation(problems!),
                (var date, _) => await Answer(actions.RecordAppointmentAsync(referralId, date!.Value, HubUser.From(context), ct)),
            })
            .WithSummary("Record the first appointment's date").Accepts<DatedReferralRequest>("application/json").Describe();
        group.MapPost("/engagement", async (Guid referralId, HttpContext context, ReferralActions actions, CancellationToken ct) =>
            await WithBody(context, (read, body) => read.Date(body, "date", "/date", required: true), ct) switch
            {
                (null, var problems) => ApiProblems.Validation(problems!),
                (var date, _) => await Answer(actions.RecordEngagementAsync(referralId, date!.Value, HubUser.From(context), ct)),
            })
            .WithSummary("Record engagement: the first attended structured treatment intervention").Accepts<DatedReferralRequest>("application/json").Describe();
    }

    /// <summary>What every referral action answers: the referral's state, or a problem.</summary>
    private static RouteHandlerBuilder Describe(this RouteHandlerBuilder action) => action
        .Produces<ReferralState>()
        .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    /// <summary>Reads one field from a small JSON body; null and the problems when it is missing or wrong.</summary>
    private static async Task<(T? Value, IReadOnlyList<FieldProblem>? Problems)> WithBody<T>(HttpContext context,
        Func<JsonFieldReader, System.Text.Json.JsonElement, T?> read, CancellationToken cancellationToken)
    {
        var body = await BoundedBody.ReadAsync(context.Request, MaxBodyBytes, cancellationToken);
        if (body is null) return (default, [new FieldProblem("", $"The body may be at most {MaxBodyBytes / 1024} KiB.")]);
        if (!JsonBody.TryRead(body, out var document, out var refusal)) return (default, refusal!.Problems);
        using (document)
        {
            var reader = new JsonFieldReader();
            if (document!.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
                return (default, [new FieldProblem("", "must be a JSON object.")]);
            var value = read(reader, document.RootElement);
            return reader.Problems.Count > 0 || value is null ? (default, reader.Problems) : (value, null);
        }
    }

    private static async Task<IResult> Answer(Task<ActionOutcome> action) => await action switch
    {
        ActionOutcome.Done done => TypedResults.Ok(done.State),
        ActionOutcome.NotFound => ApiProblems.Status(StatusCodes.Status404NotFound, "Not found", "No referral with this id."),
        ActionOutcome.Forbidden forbidden => ApiProblems.Status(StatusCodes.Status403Forbidden, "Outside your scope", forbidden.Detail),
        ActionOutcome.Refused refused => ApiProblems.Validation([refused.Problem]),
        _ => throw new InvalidOperationException("unknown action outcome"),
    };
}
