using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ContinuityHub.Fhir;

/// <summary>
/// System.Text.Json set up for FHIR's JSON rules: camelCase, <c>resourceType</c> first, no nulls, no empty
/// arrays (FHIR forbids both), and resources written and read by their runtime <c>resourceType</c>.
/// </summary>
public static class FhirJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { ApplyFhirRules } },
            // FHIR JSON is served as application/fhir+json, never inlined in HTML: keep '&' in search links readable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new ResourceConverter());
        options.MakeReadOnly();
        return options;
    }

    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, resource.GetType(), Options);

    public static T? Deserialize<T>(string json) where T : Resource => JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>resourceType first; empty collections left out.</summary>
    private static void ApplyFhirRules(JsonTypeInfo typeInfo)
    {
        foreach (var property in typeInfo.Properties)
        {
            if (typeof(Resource).IsAssignableFrom(typeInfo.Type) && property.Name == "typeName")
            {
                property.Name = "resourceType";
                property.Order = -100;
            }
            if (property.PropertyType != typeof(string) && typeof(ICollection).IsAssignableFrom(property.PropertyType))
                property.ShouldSerialize = (_, value) => value is ICollection { Count: > 0 };
        }
    }

    /// <summary>Writes a Resource-typed value as its runtime type; reads one by its resourceType.</summary>
    private sealed class ResourceConverter : JsonConverter<Resource>
    {
        private static readonly Dictionary<string, Type> Types = typeof(Resource).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Resource)) && !t.IsAbstract)
            .ToDictionary(t => ((Resource)Activator.CreateInstance(t)!).TypeName);

        public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(Resource);

        public override Resource? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var type = document.RootElement.TryGetProperty("resourceType", out var name) && name.GetString() is { } text && Types.TryGetValue(text, out var found)
                ? found
                : throw new JsonException("resourceType is missing or not supported.");
            return (Resource?)document.RootElement.Deserialize(type, options);
        }

        public override void Write(Utf8JsonWriter writer, Resource value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
    }
}
