using System.Buffers;
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
        // Written once into a growing buffer; the text and the hash are both taken from it without another copy.
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, element);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return new CanonicalJson(Encoding.UTF8.GetString(buffer.WrittenSpan), Convert.ToHexString(hash));
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
