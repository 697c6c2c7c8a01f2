using System.Text.Json;

namespace ContinuityHub.Features.Releases;

/// <summary>
/// Splits a batch's rows into groups that may be taken in at the same time: all rows about one person (NOMS
/// number, as the validator reads it) stay in one group in file order, so the contract's "the latest notification
/// wins" still means the later row. A notificationId used by more than one row keeps those rows in one group too
/// (the later is a duplicate or a conflict of the earlier, in file order), which joins their people's groups.
/// </summary>
public static class BatchLanes
{
    /// <returns>Groups of row indexes, each in file order; groups ordered by their first row.</returns>
    public static IReadOnlyList<IReadOnlyList<int>> GroupByPerson(IReadOnlyList<JsonElement> rows)
    {
        var parent = Enumerable.Range(0, rows.Count).ToArray();
        var firstRowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var key in Keys(rows[i]))
            {
                if (firstRowOf.TryGetValue(key, out var first)) Union(parent, first, i);
                else firstRowOf[key] = i;
            }
        }
        var groups = new Dictionary<int, List<int>>();
        var ordered = new List<List<int>>();
        for (var i = 0; i < rows.Count; i++)
        {
            var root = Find(parent, i);
            if (!groups.TryGetValue(root, out var group))
            {
                groups[root] = group = [];
                ordered.Add(group);
            }
            group.Add(i);
        }
        return ordered;
    }

    private static IEnumerable<string> Keys(JsonElement row)
    {
        if (row.ValueKind != JsonValueKind.Object) yield break;
        if (row.TryGetProperty("person", out var person) && person.ValueKind == JsonValueKind.Object
            && person.TryGetProperty("nomsNumber", out var noms) && noms.ValueKind == JsonValueKind.String && Text(noms) is { } nomsNumber)
            yield return "noms:" + nomsNumber.Trim().ToUpperInvariant();
        if (row.TryGetProperty("notificationId", out var id) && id.ValueKind == JsonValueKind.String && Text(id) is { } notificationId)
            yield return "id:" + notificationId.Trim().ToLowerInvariant();
    }

    /// <summary>The text, or null when it is not valid Unicode (such a row is rejected by the validator, whatever its group).</summary>
    private static string? Text(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    }

    // The smaller index becomes the root, so a group's root is its first row.
    private static void Union(int[] parent, int a, int b)
    {
        var (rootA, rootB) = (Find(parent, a), Find(parent, b));
        if (rootA < rootB) parent[rootB] = rootA;
        else if (rootB < rootA) parent[rootA] = rootB;
    }
}
