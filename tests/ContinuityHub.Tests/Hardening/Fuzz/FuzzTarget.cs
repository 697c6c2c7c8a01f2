using System.Text.Json.Nodes;

namespace ContinuityHub.Tests.Hardening.Fuzz;

public enum BodyKind { None, Json, Csv, Form }

/// <summary>
/// What the fuzzer knows about one endpoint: who calls it, good values for its route parameters, the query
/// parameters it reads, and valid bodies to mutate. The mutations start from valid requests so that they get past
/// the outer checks into the code that reads each field.
/// </summary>
public sealed class FuzzTarget
{
    public required string Method { get; init; }
    public required string Pattern { get; init; }
    /// <summary>Names of the clients (roles and scopes) that call it; the fuzzer mostly uses these, sometimes another.</summary>
    public IReadOnlyList<string> Clients { get; init; } = [];
    public IReadOnlyList<string> Query { get; init; } = [];
    public BodyKind Body { get; init; }
    public IReadOnlyList<string> ContentTypes { get; init; } = [];
    /// <summary>A new valid JSON body each call (fresh ids, so a valid one is taken in, not replayed).</summary>
    public Func<JsonNode>? ValidJson { get; init; }
    public Func<string>? ValidCsv { get; init; }
    /// <summary>For a form post: the page that shows the form, and the form's fields as that page renders them.</summary>
    public string? FormPage { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>>? FormFields { get; set; }
    /// <summary>The query of the form's action (a Razor page's <c>?handler=</c>), kept on every post.</summary>
    public string FormQuery { get; init; } = "";
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public string Key => $"{Method} {Pattern}";
}
