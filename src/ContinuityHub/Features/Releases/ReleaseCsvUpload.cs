namespace ContinuityHub.Features.Releases;

/// <summary>
/// The file a person uploads on the "Upload releases" page, checked before its rows go to <see cref="ReleaseBatch"/>:
/// a missing, empty, oversized or non-CSV file is refused with one GOV.UK-style message and nothing is written.
/// </summary>
public static class ReleaseCsvUpload
{
    /// <returns>The file's bytes, or the problem with it.</returns>
    public static async Task<(byte[]? Body, string? Problem)> ReadAsync(IFormFile? file, int maxBytes, CancellationToken cancellationToken)
    {
        if (file is null) return (null, "Select a CSV file of releases.");
        if (file.Length == 0) return (null, "The selected file is empty.");
        if (file.Length > maxBytes) return (null, $"The selected file must be smaller than {maxBytes / 1024 / 1024} MB; split it into smaller files.");
        var named = file.FileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        var typed = file.ContentType.Split(';')[0].Trim().ToLowerInvariant() is "text/csv" or "application/csv" or "application/vnd.ms-excel";
        if (!named && !typed) return (null, "The selected file must be a CSV.");

        using var buffer = new MemoryStream((int)file.Length);
        await using (var stream = file.OpenReadStream())
            await stream.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        // A spreadsheet saved as .xlsx (a zip) or any other binary file renamed .csv holds NUL bytes; text never does.
        if (Array.IndexOf(body, (byte)0) >= 0) return (null, "The selected file must be a CSV (saved as “CSV UTF-8”), not a spreadsheet or another kind of file.");
        return (body, null);
    }
}
