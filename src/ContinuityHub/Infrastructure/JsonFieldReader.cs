using System.Globalization;
using System.Text.Json;
using ContinuityHub.Errors;
using ContinuityHub.Infrastructure;

namespace ContinuityHub.Infrastructure;

/// <summary>
/// Reads typed fields out of a JSON document while collecting every problem with its JSON pointer, so one
/// answer can list them all (a typed deserializer would stop at the first wrong type). Its documents have been
/// through <see cref="JsonBody"/> (a client's JSON) or were serialised by the hub itself (CSV rows, the release
/// form), so every string decodes: a lone surrogate escape never gets this far.
/// </summary>
public sealed class JsonFieldReader
{
    private readonly List<FieldProblem> _problems = [];
    public IReadOnlyList<FieldProblem> Problems => _problems;

    public void Problem(string pointer, string detail) => _problems.Add(new FieldProblem(pointer, detail));

    public JsonElement? Object(JsonElement parent, string name, string pointer, bool required)
    {
        if (!TryGet(parent, name, pointer, required, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Object) return value;
        Problem(pointer, "must be an object.");
        return null;
    }

    public string? String(JsonElement parent, string name, string pointer, bool required, int maxLength = 200)
    {
        if (!TryGet(parent, name, pointer, required, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String)
        {
            Problem(pointer, "must be a string.");
            return null;
        }
        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            if (required) Problem(pointer, "must not be empty.");
            return null;
        }
        if (text.Length > maxLength)
        {
            Problem(pointer, $"must be at most {maxLength} characters.");
            return null;
        }
        return text;
    }

    public bool? Boolean(JsonElement parent, string name, string pointer, bool required)
    {
        if (!TryGet(parent, name, pointer, required, out var value)) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Problem(pointer, "must be true or false.");
        return null;
    }

    public decimal? Number(JsonElement parent, string name, string pointer, bool required)
    {
        if (!TryGet(parent, name, pointer, required, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number)) return number;
        Problem(pointer, "must be a number.");
        return null;
    }

    /// <summary>An ISO 8601 calendar date (yyyy-MM-dd).</summary>
    public DateOnly? Date(JsonElement parent, string name, string pointer, bool required)
    {
        var text = String(parent, name, pointer, required, 10);
        if (text is null) return null;
        if (ClientDates.ParseDate(text) is not { } date)
        {
            Problem(pointer, "must be a date in the form yyyy-MM-dd.");
            return null;
        }
        if (ClientDates.InRange(date)) return date;
        Problem(pointer, ClientDates.RangeRule);
        return null;
    }

    public IReadOnlyList<string>? StringArray(JsonElement parent, string name, string pointer, bool required)
    {
        if (!TryGet(parent, name, pointer, required, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            Problem(pointer, "must be an array of strings.");
            return null;
        }
        var result = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) Problem($"{pointer}/{index}", "must be a string.");
            else result.Add(item.GetString()!);
            index++;
        }
        return result;
    }

    private bool TryGet(JsonElement parent, string name, string pointer, bool required, out JsonElement value)
    {
        if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            return true;
        value = default;
        if (required) Problem(pointer, "is required.");
        return false;
    }
}
