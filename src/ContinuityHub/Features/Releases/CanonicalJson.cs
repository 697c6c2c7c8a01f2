using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ContinuityHub.Features.Releases;

/// <summary>
/// A JSON document written with its object members sorted and no insignificant white space, with the
/// SHA-256 of that text: "the same content" for idempotency means the same canonical text, whatever the
/// sender's key order or spacing.
/// </summary>
public sealed record CanonicalJson(string Text, string Hash)
{
    public static CanonicalJson From(JsonElement element)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, element);
        var bytes = buffer.ToArray();
        return new CanonicalJson(Encoding.UTF8.GetString(bytes), Convert.ToHexString(SHA256.HashData(bytes)));
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item);
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
