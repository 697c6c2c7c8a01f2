using System.Text;
using System.Text.Json;
using ContinuityHub.Data;
using ContinuityHub.Errors;
using ContinuityHub.Security;

namespace ContinuityHub.Features.Releases;

public sealed record BatchRowProblem(string Pointer, string? Column, string Detail);

public sealed record BatchRowResult(int Row, string? NotificationId, string Outcome, Guid? EpisodeId, Guid? ReferralId,
    string? ReferralOutcome, IReadOnlyList<BatchRowProblem> Problems);

public sealed record BatchResult(int Rows, int Accepted, int Duplicates, int Rejected, int Errors, IReadOnlyList<BatchRowResult> Results);

/// <summary>What became of a whole batch: answered row by row, or refused before any row was read.</summary>
public abstract record BatchOutcome
{
    public sealed record Answered(BatchResult Result) : BatchOutcome;
    /// <summary>The file itself is unusable (no header, an unknown column, not JSON…): nothing was written.</summary>
    public sealed record Refused(IReadOnlyList<FieldProblem> Problems, int Status = StatusCodes.Status400BadRequest) : BatchOutcome;
    /// <summary>More than <see cref="ReleaseBatch.MaxRows"/> rows: refused whole, nothing written.</summary>
    public sealed record TooManyRows : BatchOutcome;
}

/// <summary>
/// The batch pipeline (contract §4.1): a CSV (docs/releases-csv.md) or a JSON array is split into rows, and
/// every row goes through <see cref="ReleaseSubmission"/> on its own, as if sent alone, so one bad row never
/// blocks the rest. Shared by <c>POST /api/v1/releases/batch</c> and the upload page.
/// </summary>
public sealed class ReleaseBatch(ReleaseSubmission submission, ILogger<ReleaseBatch> logger)
{
    /// <summary>The most rows one batch may hold (issue 12).</summary>
    public const int MaxRows = 10_000;

    public async Task<BatchOutcome> SubmitCsvAsync(byte[] body, HubUser user, string correlationId, CancellationToken cancellationToken)
    {
        // Spreadsheet exports often start with a UTF-8 byte order mark; it is not part of the first column's name.
        var text = Encoding.UTF8.GetString(body);
        if (text.StartsWith('\uFEFF')) text = text[1..];
        // The header, the rows allowed and one more: enough to know the batch is too long without reading it all.
        var records = CsvReleaseRows.Parse(text).Take(MaxRows + 2).ToList();
        if (records.Count > MaxRows + 1) return new BatchOutcome.TooManyRows();
        if (records.Count == 0) return Refused("The CSV has no header row.");
        var header = records[0].Cells.Select(h => h.Trim()).ToList();
        var headerProblems = CsvReleaseRows.HeaderProblems(header);
        if (headerProblems.Count > 0)
            return new BatchOutcome.Refused(headerProblems.Select(p => new FieldProblem("", $"CSV header: {p}")).ToList());
        var rows = records.Skip(1)
            .Select(r => (r.Line, JsonSerializer.SerializeToElement(CsvReleaseRows.ToNotification(header, r.Cells)), true))
            .ToList();
        return await SubmitRowsAsync(rows, user, correlationId, cancellationToken);
    }

    public async Task<BatchOutcome> SubmitJsonAsync(byte[] body, HubUser user, string correlationId, CancellationToken cancellationToken)
    {
        if (!Infrastructure.JsonBody.TryRead(body, out var document, out var refusal))
            return new BatchOutcome.Refused(refusal!.Problems, refusal.Status);
        using (document)
        {
            if (document!.RootElement.ValueKind != JsonValueKind.Array) return Refused("A JSON batch must be an array of notifications.");
            if (document.RootElement.GetArrayLength() > MaxRows) return new BatchOutcome.TooManyRows();
            var rows = document.RootElement.EnumerateArray().Select((item, i) => (i, item, false)).ToList();
            return await SubmitRowsAsync(rows, user, correlationId, cancellationToken);
        }
    }

    private static BatchOutcome.Refused Refused(string detail) => new([new FieldProblem("", detail)]);

    private async Task<BatchOutcome> SubmitRowsAsync(List<(int Row, JsonElement Document, bool FromCsv)> rows, HubUser user,
        string correlationId, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return Refused("The batch has no rows.");
        // Every row is checked here in file order and, when it passes, handed to the intake's group commit at once: the
        // rows are taken in many to a unit of work while the later ones are still being checked, and one person's rows
        // (or rows sharing a notificationId) are taken in in file order, one after the other (IntakeGroupCommit).
        var pending = new Task<BatchRowResult>[rows.Count];
        for (var index = 0; index < rows.Count; index++)
        {
            var (row, document, fromCsv) = rows[index];
            var notificationId = NotificationIdOf(document);
            var (refused, item) = submission.Prepare(document, user);
            pending[index] = refused is not null
                ? Task.FromResult(RowResult(row, notificationId, fromCsv, refused))
                : TakeInRowAsync(row, notificationId, fromCsv, item!);
        }
        var results = await Task.WhenAll(pending);
        return new BatchOutcome.Answered(new BatchResult(results.Length,
            results.Count(r => r.Outcome == "accepted"), results.Count(r => r.Outcome == "duplicate"),
            results.Count(r => r.Outcome == "rejected"), results.Count(r => r.Outcome == "error"), results));

        async Task<BatchRowResult> TakeInRowAsync(int row, string? notificationId, bool fromCsv, IntakeItem item)
        {
            try
            {
                return RowResult(row, notificationId, fromCsv, await submission.TakeInAsync(item, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One row's unexpected failure (taken in alone, its own transaction rolled back) must not cost the other rows.
                logger.LogError("Batch row {Row} failed with {ExceptionType}", row, e.GetType().Name);
                return new BatchRowResult(row, null, "error", null, null, null,
                    [new BatchRowProblem("", null, $"An unexpected error stopped this row; nothing was written for it. Correlation id: {correlationId}.")]);
            }
        }
    }

    private static string? NotificationIdOf(JsonElement document) =>
        document.ValueKind == JsonValueKind.Object && document.TryGetProperty("notificationId", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;

    private static BatchRowResult RowResult(int row, string? notificationId, bool fromCsv, SubmissionOutcome outcome)
    {
        BatchRowProblem Problem(string pointer, string detail) => new(pointer, fromCsv ? CsvReleaseRows.ColumnFor(pointer) : null, detail);

        return outcome switch
        {
            SubmissionOutcome.Invalid invalid => new BatchRowResult(row, notificationId, "rejected", null, null, null,
                invalid.Problems.Select(p => Problem(p.Pointer, p.Detail)).ToList()),
            SubmissionOutcome.Forbidden forbidden => new BatchRowResult(row, notificationId, "rejected", null, null, null,
                [Problem("", forbidden.Detail)]),
            SubmissionOutcome.IdentityConflict conflict => new BatchRowResult(row, notificationId, "rejected", null, null, null,
                [Problem("", $"identity-conflict (conflict id {conflict.ConflictId}): {ApiProblems.IdentityConflictDetail}")]),
            SubmissionOutcome.Accepted { Result: IntakeResult.Created, Body: { } body } =>
                new BatchRowResult(row, notificationId, "accepted", body.EpisodeId, body.ReferralId, body.ReferralOutcome, []),
            SubmissionOutcome.Accepted { Result: IntakeResult.Replayed, Body: { } body } =>
                new BatchRowResult(row, notificationId, "duplicate", body.EpisodeId, body.ReferralId, body.ReferralOutcome, []),
            _ => new BatchRowResult(row, notificationId, "rejected", null, null, null,
                [Problem("/notificationId", "This notificationId was already received with different content.")]),
        };
    }
}
