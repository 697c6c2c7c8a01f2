using System.Net;
using System.Text.Json;

namespace ContinuityHub.Tests.Fhir;

/// <summary>What every FHIR error answer must be: the status, application/fhir+json, a valid R4 OperationOutcome of errors.</summary>
public static class FhirAssert
{
    /// <returns>The outcome's issues; when <paramref name="code"/> is given, one of them has that IssueType code.</returns>
    public static async Task<JsonElement[]> OutcomeAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {status}, got {response.StatusCode}: {text}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var errors = FhirValidator.Validate(text);
        Assert.True(errors.Count == 0, $"{text}\n  {string.Join("\n  ", errors)}");
        var outcome = JsonDocument.Parse(text).RootElement;
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        var issues = outcome.GetProperty("issue").EnumerateArray().ToArray();
        Assert.All(issues, issue => Assert.Equal("error", issue.GetProperty("severity").GetString()));
        if (code is not null) Assert.Contains(issues, issue => issue.GetProperty("code").GetString() == code);
        return issues;
    }
}
