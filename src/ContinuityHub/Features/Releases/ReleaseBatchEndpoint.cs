using ContinuityHub.Errors;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Releases;

/// <summary>
/// <c>POST /api/v1/releases/batch</c>: CSV or a JSON array, answered row by row by <see cref="ReleaseBatch"/>
/// (contract §4.1).
/// </summary>
public static class ReleaseBatchEndpoint
{
    /// <summary>The most rows one batch may hold (issue 12): a bigger file is refused whole, before any row is taken in.</summary>
    public const int MaxRows = ReleaseBatch.MaxRows;

    public static async Task<IResult> ReceiveAsync(HttpContext context, ReleaseBatch batch, IOptions<HubOptions> options, CancellationToken cancellationToken)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("text/csv" or "application/json"))
            return ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the batch as text/csv or as a JSON array (application/json).");
        var body = await BoundedBody.ReadAsync(context.Request, options.Value.MaxBatchBytes, cancellationToken);
        if (body is null)
            return ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Batch too large", $"A batch may be at most {options.Value.MaxBatchBytes / 1024 / 1024} MiB; split it.");

        var user = HubUser.From(context);
        var outcome = mediaType == "text/csv"
            ? await batch.SubmitCsvAsync(body, user, context.TraceIdentifier, cancellationToken)
            : await batch.SubmitJsonAsync(body, user, context.TraceIdentifier, cancellationToken);
        return outcome switch
        {
            BatchOutcome.Answered answered => TypedResults.Ok(answered.Result),
            BatchOutcome.Refused refused => ApiProblems.Validation(refused.Problems, refused.Status),
            BatchOutcome.TooManyRows => ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Too many rows",
                $"A batch may hold at most {MaxRows} rows; split it. Nothing was written."),
            _ => throw new InvalidOperationException("Unknown batch outcome."),
        };
    }
}
