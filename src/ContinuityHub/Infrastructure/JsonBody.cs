using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Unicode;
using System.Text.Json;
using ContinuityHub.Errors;

namespace ContinuityHub.Infrastructure;

/// <summary>
/// The one place a client's JSON is read (request bodies, the JSON inside an SNS envelope, FHIR resources):
/// syntax, depth and duplicate members are checked by the parser, then every string and number is checked
/// for what PostgreSQL (text, jsonb) and the rest of the hub can take. A document that passes here can be
/// read with <see cref="JsonElement.GetString"/> and stored as jsonb without an exception.
/// </summary>
public static class JsonBody
{
    /// <summary>Deeper than any document the hub reads (a notification is 4 levels deep); bounds the parser's work.</summary>
    public const int MaxDepth = 32;

    /// <summary>A number written with more characters than this is refused (jsonb keeps every digit).</summary>
    public const int MaxNumberLength = 100;

    /// <summary>A number's magnitude must fit a double (about 1e±308): jsonb refuses exponents beyond ±16383 and expands the others to their full digits.</summary>
    public const int MaxExponent = 308;

    private const string LoneSurrogate = "holds text that is not valid Unicode (a lone surrogate escape such as \\ud800).";

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>Why a body could not be taken: 400 when it is not JSON, 422 when it is JSON holding values the hub cannot keep.</summary>
    public sealed record Refusal(int Status, IReadOnlyList<FieldProblem> Problems);

    /// <summary>Parses and checks UTF-8 JSON; the caller disposes the document.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> utf8, out JsonDocument? document, out Refusal? refusal, string pointerPrefix = "")
    {
        // RFC 8259 §8.1: a parser may ignore a byte order mark (Windows tools write one); System.Text.Json refuses it.
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8 = utf8[3..];
        return TryParse(static json => JsonDocument.Parse(json, Options), utf8, StatusCodes.Status400BadRequest, "", out document, out refusal, pointerPrefix);
    }

    /// <summary>Parses and checks JSON held in a string (the Message of an SNS envelope): unreadable JSON there is a 422, the envelope itself was JSON.</summary>
    public static bool TryRead(string json, out JsonDocument? document, out Refusal? refusal, string pointerPrefix = "") =>
        TryParse(static text => JsonDocument.Parse(text, Options), json, StatusCodes.Status422UnprocessableEntity, "does not hold valid JSON: ",
            out document, out refusal, pointerPrefix);

    private static bool TryParse<T>(Func<T, JsonDocument> parse, T json, int syntaxStatus, string syntaxPrefix,
        out JsonDocument? document, out Refusal? refusal, string pointerPrefix)
    {
        try
        {
            document = parse(json);
        }
        catch (JsonException e)
        {
            document = null;
            refusal = new Refusal(syntaxStatus, [new FieldProblem(pointerPrefix, syntaxPrefix + Describe(e))]);
            return false;
        }
        catch (InvalidOperationException)
        {
            // Checking member names for duplicates decodes them: a name with a lone surrogate escape fails there.
            document = null;
            refusal = new Refusal(StatusCodes.Status422UnprocessableEntity, [new FieldProblem(pointerPrefix, LoneSurrogate)]);
            return false;
        }
        return Checked(ref document, out refusal, pointerPrefix);
    }

    private static bool Checked(ref JsonDocument? document, out Refusal? refusal, string pointerPrefix)
    {
        var problems = ValueProblems(document!.RootElement, pointerPrefix).ToList();
        if (problems.Count == 0)
        {
            refusal = null;
            return true;
        }
        document.Dispose();
        document = null;
        refusal = new Refusal(StatusCodes.Status422UnprocessableEntity, problems);
        return false;
    }

    /// <summary>
    /// Every string, member name and number the hub could not store or read, with its JSON pointer: text with
    /// U+0000 (PostgreSQL's text and jsonb refuse it), a lone UTF-16 surrogate escape such as "\ud800" (not
    /// a character; .NET cannot decode it), a number out of range. Also used for documents the hub builds
    /// from CSV rows.
    /// </summary>
    public static IEnumerable<FieldProblem> ValueProblems(JsonElement element, string pointer = "") =>
        MayHoldProblems(element) ? DescribeProblems(element, pointer) : [];

    /// <summary>
    /// A walk over the raw UTF-8 without decoding a string or building a pointer: on the intake's busiest path every
    /// document is checked, and almost none has a problem. Only text with an escape (\u0000 and a lone surrogate
    /// can only be written escaped) or bytes that are not UTF-8, and numbers long or with an exponent, can hold one;
    /// those go to
    /// <see cref="DescribeProblems"/>.
    /// </summary>
    private static bool MayHoldProblems(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    if (MayHoldTextProblem(JsonMarshal.GetRawUtf8PropertyName(property)) || MayHoldProblems(property.Value)) return true;
                return false;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    if (MayHoldProblems(item)) return true;
                return false;
            case JsonValueKind.String:
                return MayHoldTextProblem(JsonMarshal.GetRawUtf8Value(element));
            case JsonValueKind.Number:
                var raw = JsonMarshal.GetRawUtf8Value(element);
                return raw.Length > MaxNumberLength || raw.IndexOfAny((byte)'e', (byte)'E') >= 0;
            default:
                return false;
        }
    }

    // The parser leaves a string's bytes unchecked until it is read: bytes that are not UTF-8 fail there too.
    private static bool MayHoldTextProblem(ReadOnlySpan<byte> raw) => raw.Contains((byte)'\\') || !Utf8.IsValid(raw);

    private static IEnumerable<FieldProblem> DescribeProblems(JsonElement element, string pointer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (Decoded(() => property.Name) is not { } name)
                    {
                        yield return new FieldProblem(pointer, "holds a member name that is not valid Unicode text (a lone surrogate escape).");
                        continue;
                    }
                    var child = $"{pointer}/{name.Replace("~", "~0").Replace("/", "~1")}";
                    if (TextProblem(name) is { } nameProblem) yield return new FieldProblem(child, $"the member name {nameProblem}");
                    foreach (var found in DescribeProblems(property.Value, child)) yield return found;
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                    foreach (var found in DescribeProblems(item, $"{pointer}/{index++}")) yield return found;
                break;
            case JsonValueKind.String:
                var text = Decoded(element.GetString);
                if (text is null) yield return new FieldProblem(pointer, LoneSurrogate);
                else if (TextProblem(text) is { } problem) yield return new FieldProblem(pointer, problem);
                break;
            case JsonValueKind.Number when NumberProblem(element.GetRawText()) is { } numberProblem:
                yield return new FieldProblem(pointer, numberProblem);
                break;
        }
    }

    /// <summary>The text, or null when it holds a lone surrogate escape (System.Text.Json cannot transcode it).</summary>
    private static string? Decoded(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>What is wrong with text for storing it (null when nothing): the NUL character.</summary>
    public static string? TextProblem(string text) =>
        text.Contains('\0') ? "must not contain the NUL character (U+0000)." : null;

    private static string? NumberProblem(string raw)
    {
        if (raw.Length > MaxNumberLength) return $"is a number written with more than {MaxNumberLength} characters.";
        var exponentAt = raw.AsSpan().IndexOfAny('e', 'E');
        var digits = exponentAt < 0 ? raw : raw[..exponentAt];
        var exponentText = exponentAt < 0 ? "0" : raw[(exponentAt + 1)..];
        var exponentDigits = exponentText.TrimStart('+', '-').TrimStart('0');
        if (exponentDigits.Length > 6) return $"is a number out of range: its magnitude must be within 1e-{MaxExponent} to 1e{MaxExponent}.";
        var exponent = int.Parse(exponentText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        // The position of the first significant digit decides the magnitude: 123e306 is 1.23e308.
        var integerDigits = digits.TrimStart('-').Split('.')[0].TrimStart('0').Length;
        var magnitude = integerDigits > 0 ? exponent + integerDigits - 1 : exponent;
        return magnitude is > MaxExponent or < -MaxExponent - MaxNumberLength
            ? $"is a number out of range: its magnitude must be within 1e-{MaxExponent} to 1e{MaxExponent}."
            : null;
    }

    private static string Describe(JsonException e) =>
        $"The body is not valid JSON (line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1})" +
        (e.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase) ? ": a member name appears twice in one object." :
         e.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) && !e.Message.Contains("zero", StringComparison.OrdinalIgnoreCase) ? $": nested more than {MaxDepth} levels deep." : ".");
}
