namespace ContinuityHub.Fhir;

public sealed class OperationOutcome : Resource
{
    public override string TypeName => "OperationOutcome";
    public List<IssueComponent>? Issue { get; set; }

    public sealed class IssueComponent
    {
        /// <summary>fatal | error | warning | information.</summary>
        public string? Severity { get; set; }
        /// <summary>An IssueType code: invalid, not-found, forbidden, conflict, business-rule, exception…</summary>
        public string? Code { get; set; }
        public string? Diagnostics { get; set; }
        /// <summary>FHIRPath expressions locating the problem.</summary>
        public List<string>? Expression { get; set; }
    }

    public static OperationOutcome Error(string code, string diagnostics, params string[] expression) => new()
    {
        Issue = [new IssueComponent { Severity = "error", Code = code, Diagnostics = diagnostics, Expression = expression.Length == 0 ? null : [.. expression] }],
    };
}
