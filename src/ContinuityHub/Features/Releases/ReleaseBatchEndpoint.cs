using System.Text;
using System.Text.Json;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Hosting;
using ContinuityHub.Infrastructure;
using ContinuityHub.Security;
using Microsoft.Extensions.Options;

namespace ContinuityHub.Features.Releases;

public sealed record BatchRowProblem(string Pointer, string? Column, string Detail);

public sealed record BatchRowResult(int Row, string? NotificationId, string Outcome, Guid? EpisodeId, Guid? ReferralId,
    string? ReferralOutcome, IReadOnlyList<BatchRowProblem> Problems);

public sealed record BatchResult(int Rows, int Accepted, int Duplicates, int Rejected, int Errors, IReadOnlyList<BatchRowResult> Results);

/// <summary>
/// <c>POST /api/v1/releases/batch</c>: CSV or a JSON array; every row is judged on its own, as if sent alone,
/// and one bad row never blocks the rest (contract §4.1).
/// </summary>
public static class ReleaseBatchEndpoint
{
    /// <summary>The most rows one batch may hold (issue 12): a bigger file is refused whole, before any row is taken in.</summary>
    public const int MaxRows = 10_000;

    public static async Task<IResult> ReceiveAsync(HttpContext context, ReleaseSubmission submission, HubDbContext db,
        IOptions<HubOptions> options, ILogger<ReleaseSubmission> logger, CancellationToken cancellationToken)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("text/csv" or "application/json"))
            return ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the batch as text/csv or as a JSON array (application/json).");
        var body = await BoundedBody.ReadAsync(context.Request, options.Value.MaxBatchBytes, cancellationToken);
        if (body is null)
            return ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Batch too large", $"A batch may be at most {options.Value.MaxBatchBytes / 1024 / 1024} MiB; split it.");

        var rows = new List<(int Row, JsonElement Document, bool FromCsv)>();
        JsonDocument? arrayDocument = null;
        try
        {
            if (mediaType == "text/csv")
            {
                // Spreadsheet exports often start with a UTF-8 byte order mark; it is not part of the first column's name.
                var text = Encoding.UTF8.GetString(body);
                if (text.StartsWith('\uFEFF')) text = text[1..];
                // The header, the rows allowed and one more: enough to know the batch is too long without reading it all.
                var records = CsvReleaseRows.Parse(text).Take(MaxRows + 2).ToList();
                if (records.Count > MaxRows + 1) return TooManyRows();
                if (records.Count == 0) return ApiProblems.Validation([new FieldProblem("", "The CSV has no header row.")], StatusCodes.Status400BadRequest);
                var header = records[0].Cells.Select(h => h.Trim()).ToList();
                var headerProblems = CsvReleaseRows.HeaderProblems(header);
                if (headerProblems.Count > 0)
                    return ApiProblems.Validation(headerProblems.Select(p => new FieldProblem("", $"CSV header: {p}")).ToList(), StatusCodes.Status400BadRequest);
                foreach (var (line, cells) in records.Skip(1))
                    rows.Add((line, JsonSerializer.SerializeToElement(CsvReleaseRows.ToNotification(header, cells)), true));
            }
            else
            {
                if (!JsonBody.TryRead(body, out arrayDocument, out var refusal)) return ApiProblems.Unreadable(refusal!);
                if (arrayDocument!.RootElement.ValueKind != JsonValueKind.Array)
                    return ApiProblems.Validation([new FieldProblem("", "A JSON batch must be an array of notifications.")], StatusCodes.Status400BadRequest);
                if (arrayDocument.RootElement.GetArrayLength() > MaxRows) return TooManyRows();
                rows.AddRange(arrayDocument.RootElement.EnumerateArray().Select((item, i) => (i, item, false)));
            }
            if (rows.Count == 0) return ApiProblems.Validation([new FieldProblem("", "The batch has no rows.")], StatusCodes.Status400BadRequest);

            var user = HubUser.From(context);
            var results = new List<BatchRowResult>();
            foreach (var (row, document, fromCsv) in rows)
            {
                try
                {
                    results.Add(await SubmitRowAsync(submission, row, document, fromCsv, user, cancellationToken));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One row's unexpected failure (its own transaction rolled back) must not cost the rows after it.
                    logger.LogError("Batch row {Row} failed with {ExceptionType}", row, e.GetType().Name);
                    results.Add(new BatchRowResult(row, null, "error", null, null, null,
                        [new BatchRowProblem("", null, $"An unexpected error stopped this row; nothing was written for it. Correlation id: {context.TraceIdentifier}.")]));
                }
                db.ChangeTracker.Clear();
            }
            return TypedResults.Ok(new BatchResult(results.Count,
                results.Count(r => r.Outcome == "accepted"), results.Count(r => r.Outcome == "duplicate"),
                results.Count(r => r.Outcome == "rejected"), results.Count(r => r.Outcome == "error"), results));
        }
        finally
        {
            arrayDocument?.Dispose();
        }
    }

    private static IResult TooManyRows() => ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Too many rows",
        $"A batch may hold at most {MaxRows} rows; split it. Nothing was written.");

    private static async Task<BatchRowResult> SubmitRowAsync(ReleaseSubmission submission, int row, JsonElement document, bool fromCsv,
        HubUser user, CancellationToken cancellationToken)
    {
        var notificationId = document.ValueKind == JsonValueKind.Object && document.TryGetProperty("notificationId", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;
        BatchRowProblem Problem(string pointer, string detail) => new(pointer, fromCsv ? CsvReleaseRows.ColumnFor(pointer) : null, detail);

        var outcome = await submission.SubmitAsync(document, user, cancellationToken);
        return outcome switch
        {
            SubmissionOutcome.Invalid invalid => new BatchRowResult(row, notificationId, "rejected", null, null, null,
                invalid.Problems.Select(p => Problem(p.Pointer, p.Detail)).ToList()),
            SubmissionOutcome.Forbidden forbidden => new BatchRowResult(row, notificationId, "rejected", null, null, null,
                [Problem("", forbidden.Detail)]),
            SubmissionOutcome.Accepted { Result: IntakeResult.Created, Body: { } body } =>
                new BatchRowResult(row, notificationId, "accepted", body.EpisodeId, body.ReferralId, body.ReferralOutcome, []),
            SubmissionOutcome.Accepted { Result: IntakeResult.Replayed, Body: { } body } =>
                new BatchRowResult(row, notificationId, "duplicate", body.EpisodeId, body.ReferralId, body.ReferralOutcome, []),
            _ => new BatchRowResult(row, notificationId, "rejected", null, null, null,
                [Problem("/notificationId", "This notificationId was already received with different content.")]),
        };
    }
}
