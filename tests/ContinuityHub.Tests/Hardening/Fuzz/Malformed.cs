using System.Text;
using System.Text.Json.Nodes;

namespace ContinuityHub.Tests.Hardening.Fuzz;

/// <summary>
/// Seeded generators of malformed input: odd values for strings, numbers, dates, route segments and query
/// parameters, and mutations of valid JSON, CSV and form bodies (surrogates, huge numbers, edge dates,
/// over-long strings, wrong types, truncation, nesting, duplicate members, random bytes, bad UTF-8).
/// </summary>
public sealed class Malformed(Random random)
{
    // Raw JSON tokens that cannot be written through JsonNode: a leaf set to the marker string is replaced by
    // the raw text after serialising.
    private const string Marker = "\u0001raw\u0001";
    private static readonly string[] RawTokens =
    [
        "\"\\ud800\"", "\"a\\udc00b\"", "\"\\udfff\\ud800\"", "1e400", "-1e400", "1e-20000", "1E+999999999", new string('9', 400),
        "0.000000000000000000000000000000000000000000000000001", "-0", "1.5e308", "123456789012345678901234567890",
        "\"\\u0000\"", "\"x\\u0000y\"", new string('[', 40) + new string(']', 40), "[" + string.Join(",", Enumerable.Repeat("{}", 50)) + "]",
    ];

    public Random Random => random;

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public bool Chance(double p) => random.NextDouble() < p;

    /// <summary>A text value a client might send where text is expected, or something worse.</summary>
    public string OddText()
    {
        return random.Next(16) switch
        {
            0 => "",
            1 => " ",
            2 => new string('x', Pick([51, 101, 201, 255, 256, 501, 2001, 5000])),
            3 => new string('é', 3000),
            4 => Pick(["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00",
                "2026-02-30", "2026-13-01", "-2026-01-01", "+12026-01-01", "20261201", "2026-12-01T25:00:00Z", "2026-12-01T10:00:00+25:00"]),
            5 => "x\0y",
            6 => Pick(["💊", "\u202e", "\ufeff", "\uffff", "\U0010FFFF", "a\u0300\u0301\u0302"]),
            7 => Pick(["null", "true", "[]", "{}", "NaN", "Infinity", "-1", "1e400", "99999999999999999999999"]),
            8 => Pick(["A1234BC", "a1234bc", "X123456", "9434765919", "ONI", "EXS2SN", "N56NNE", "*", "ZZZ"]),
            9 => Pick(["' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "%00", "%ZZ", "\\", "\"", "\r\n"]),
            10 => Guid.NewGuid().ToString(),
            11 => Guid.Empty.ToString(),
            12 => RandomString(random.Next(1, 40)),
            13 => new string('A', 7) + new string('9', random.Next(0, 30)),
            14 => Pick(["planned", "released", "opiates", "methadone", "prison-healthcare", "probation", "summary", "due", "pending", "at-risk"]),
            _ => RandomString(random.Next(0, 8)),
        };
    }

    /// <summary>A query parameter value: odd text, huge or negative numbers, or raw percent-escapes.</summary>
    public string OddQueryValue() => random.Next(6) switch
    {
        0 => Uri.EscapeDataString(OddText()),
        1 => Pick(["0", "-1", "1", "500", "501", "1000", "1001", "2147483648", "99999999999999999999", "1.5", "1e3", "0x10", " 5"]),
        2 => Pick(["%ED%A0%80", "%C0%80", "%FF%FE", "%", "%Z", "%e2%82", "%F4%90%80%80"]),       // bad UTF-8 and bad escapes
        3 => new string('9', Pick([20, 400, 4000])),
        4 => Uri.EscapeDataString(Pick(["ge0001-01-01", "le9999-12-31", "gt2026-11-01", "eq2026", "ge", "sa2026-01-01", "ge2026-11-01T10:00:00+99:00"])),
        _ => Uri.EscapeDataString(RandomString(random.Next(0, 12))),
    };

    /// <summary>A route segment: a valid one from <paramref name="good"/>, or an odd one (escaped for the path).</summary>
    public string RouteValue(IReadOnlyList<string> good) => random.Next(5) switch
    {
        0 or 1 when good.Count > 0 => Uri.EscapeDataString(Pick(good)),
        2 => Uri.EscapeDataString(OddText()) is { Length: > 0 } odd ? odd : "x",
        3 => Pick(["%2F", "..", ".", "%2e%2e", "%00", "%ED%A0%80", "%FF", "a%20b", "~", "%25", new string('a', 3000), "$evaluate-measure"]),
        _ => Guid.NewGuid().ToString(),
    };

    /// <summary>A mutation of a valid JSON document, as the bytes sent.</summary>
    public byte[] MutateJson(JsonNode valid)
    {
        var node = valid.DeepClone();
        string text;
        switch (random.Next(12))
        {
            case 0: // a leaf holds a raw token: surrogates, huge numbers, NUL, nesting
            case 1:
                SetRandomLeaf(node, Marker);
                text = node.ToJsonString().Replace($"\"{EscapedMarker}\"", Pick(RawTokens));
                return Encoding.UTF8.GetBytes(text);
            case 2: // an odd string where any value was
            case 3:
                SetRandomLeaf(node, OddText());
                return Encoding.UTF8.GetBytes(node.ToJsonString());
            case 4: // a wrong type
                SetRandomLeaf(node, Pick<JsonNode?>([null, true, 0, -1, 1e300, new JsonArray(), new JsonObject(), "", 3.5]));
                return Encoding.UTF8.GetBytes(node.ToJsonString());
            case 5: // a member removed, or an unknown one added
                if (RandomObject(node) is { Count: > 0 } removeFrom && Chance(0.5)) removeFrom.Remove(removeFrom.ElementAt(random.Next(removeFrom.Count)).Key);
                else if (RandomObject(node) is { } addTo) addTo[Chance(0.5) ? "unknown" : OddText()] = Marker;
                text = node.ToJsonString().Replace($"\"{EscapedMarker}\"", Pick(RawTokens));
                return Encoding.UTF8.GetBytes(text);
            case 6: // a member named twice
                text = node.ToJsonString();
                var brace = text.IndexOf('{');
                var firstMember = brace >= 0 ? text.IndexOf(':', brace) : -1;
                return Encoding.UTF8.GetBytes(firstMember > 0 ? text[..(brace + 1)] + text[(brace + 1)..firstMember] + ":1," + text[(brace + 1)..] : text + text);
            case 7: // truncated
                text = node.ToJsonString();
                return Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]);
            case 8: // random bytes, or bad UTF-8, inside
                var bytes = Encoding.UTF8.GetBytes(node.ToJsonString()).ToList();
                var at = random.Next(bytes.Count);
                bytes.InsertRange(at, Chance(0.5) ? Pick<byte[]>([[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xFF], [0xFE, 0xFF], [0xF4, 0x90, 0x80, 0x80], [0xEF, 0xBB, 0xBF]]) : RandomBytes(random.Next(1, 16)));
                return [.. bytes];
            case 9: // nested deeper than anything the hub reads
                return Encoding.UTF8.GetBytes(new string('[', Pick([31, 33, 64, 1000])) + node.ToJsonString() + new string(']', Pick([31, 33, 64, 1000])));
            case 10: // another kind of JSON altogether
                return Encoding.UTF8.GetBytes(Pick(["", "null", "0", "\"text\"", "[]", "{}", "[[]]", "[null]", "[1,2,3]", "true", "{\"a\":", "\u00ff"]));
            default: // the body many times over
                return Encoding.UTF8.GetBytes(valid is JsonArray ? node.ToJsonString() : $"[{string.Join(",", Enumerable.Repeat(node.ToJsonString(), random.Next(2, 5)))}]");
        }
    }

    /// <summary>A mutation of a valid CSV: odd cells, broken quoting, odd headers, bad bytes.</summary>
    public byte[] MutateCsv(string valid)
    {
        var lines = valid.TrimEnd('\n').Split('\n').Select(l => l.Split(',').ToList()).ToList();
        switch (random.Next(7))
        {
            case 0:
            case 1:
            case 2: // an odd cell
                var row = lines[1 + random.Next(lines.Count - 1)];
                row[random.Next(row.Count)] = Chance(0.3) ? $"\"{OddText().Replace("\"", "\"\"")}\"" : OddText().Replace(",", "").Replace("\n", "");
                break;
            case 3: // an odd header
                lines[0][random.Next(lines[0].Count)] = Pick(["", "unknown", "nomsNumber", OddText()]);
                break;
            case 4: // broken quoting and extra cells
                lines[1].Add(Pick(["\"unclosed", "a\"b", "\"\"", "x,y"]));
                break;
            case 5: // random bytes
                var bytes = Encoding.UTF8.GetBytes(string.Join("\n", lines.Select(l => string.Join(",", l)))).ToList();
                bytes.InsertRange(random.Next(bytes.Count), RandomBytes(random.Next(1, 8)));
                return [.. bytes];
            default: // truncated
                var text = string.Join("\n", lines.Select(l => string.Join(",", l)));
                return Encoding.UTF8.GetBytes(text[..random.Next(text.Length)]);
        }
        return Encoding.UTF8.GetBytes(string.Join("\n", lines.Select(l => string.Join(",", l))) + "\n");
    }

    /// <summary>A mutation of a form post's fields (names and values kept in order).</summary>
    public List<KeyValuePair<string, string>> MutateForm(IReadOnlyList<KeyValuePair<string, string>> valid)
    {
        var fields = valid.ToList();
        switch (random.Next(5))
        {
            case 0 when fields.Count > 0: // a field removed (the anti-forgery token too, sometimes)
                fields.RemoveAt(random.Next(fields.Count));
                break;
            case 1 when fields.Count > 0: // a field given twice
                var twice = fields[random.Next(fields.Count)];
                fields.Add(new(twice.Key, OddText()));
                break;
            case 2: // an unknown field
                fields.Add(new(Chance(0.5) ? "unknown" : OddText(), OddText()));
                break;
            default: // an odd value
                if (fields.Count > 0)
                {
                    var index = random.Next(fields.Count);
                    fields[index] = new(fields[index].Key, OddText());
                }
                break;
        }
        return fields;
    }

    public byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private string RandomString(int length)
    {
        const string alphabet = "abcXYZ019-_./:@ %&=+?#é💊\u0000\t";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++) builder.Append(alphabet[random.Next(alphabet.Length)]);
        return builder.ToString();
    }

    private static readonly string EscapedMarker = new JsonArray(Marker).ToJsonString()[2..^2];

    private void SetRandomLeaf(JsonNode root, JsonNode? value)
    {
        var containers = Containers(root).ToList();
        var container = Pick(containers);
        switch (container)
        {
            case JsonObject obj when obj.Count > 0:
                obj[obj.ElementAt(random.Next(obj.Count)).Key] = value;
                break;
            case JsonObject obj:
                obj["added"] = value;
                break;
            case JsonArray array when array.Count > 0:
                array[random.Next(array.Count)] = value;
                break;
            case JsonArray array:
                array.Add(value);
                break;
        }
    }

    private JsonObject? RandomObject(JsonNode root) => Containers(root).OfType<JsonObject>().ToList() is { Count: > 0 } objects ? Pick(objects) : null;

    private static IEnumerable<JsonNode> Containers(JsonNode node)
    {
        if (node is JsonObject or JsonArray) yield return node;
        var children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
            foreach (var found in Containers(child)) yield return found;
    }
}
