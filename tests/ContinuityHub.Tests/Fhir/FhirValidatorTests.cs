namespace ContinuityHub.Tests.Fhir;

/// <summary>The validation harness itself: it finds what it must, so a test that sees no errors means something.</summary>
public sealed class FhirValidatorTests
{
    [Fact]
    public void The_validator_can_fail_on_a_profile_rule_and_on_a_required_binding()
    {
        var results = FhirValidator.Validate([
            """{"resourceType":"ServiceRequest","status":"active","intent":"order"}""",                           // subject is 1..1
            """{"resourceType":"Patient","id":"p1","name":[{"use":"bogus"}]}""",                                 // required binding
            """{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"p1"}}]}""", // fullUrl
        ]);
        Assert.Contains(results[0], e => e.StartsWith("ServiceRequest") && e.Contains("subject"));
        Assert.Contains(results[1], e => e.StartsWith("Patient.name[0].use") && e.Contains("NameUse"));
        Assert.Contains(results[2], e => e.Contains("fullUrl"));
    }

    [Fact]
    public void The_validator_accepts_only_standard_R4_in_FHIR_JSON_form()
    {
        var results = FhirValidator.Validate([
            """{"resourceType":"Patient","id":"p1"}""",
            """{"resourceType":"Patient","id":"p1","meta":{"project":"x"}}""",          // an element R4 does not have
            """{"resourceType":"Project","id":"x"}""",                                  // not an R4 resource type
            """{"resourceType":"Patient","id":"p1","identifier":[]}""",                 // empty array
            """{"resourceType":"Patient","id":"p1","gender":null}""",                   // null
            """{"resourceType":"Patient","id":"p1","name":[{"family":""}]}""",          // empty string
            """{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:0193f0a0-0000-7000-8000-000000000001","resource":{"resourceType":"Task","status":"bogus","intent":"order"}}]}""",
        ]);
        Assert.Empty(results[0]);
        Assert.Contains(results[1], e => e.StartsWith("Patient.meta.project"));
        Assert.Contains(results[2], e => e.Contains("Project"));
        Assert.Contains(results[3], e => e.StartsWith("Patient.identifier"));
        Assert.Contains(results[4], e => e.StartsWith("Patient.gender") && e.Contains("null"));
        Assert.Contains(results[5], e => e.StartsWith("Patient.name[0].family"));
        Assert.Contains(results[6], e => e.StartsWith("Bundle.entry[0].resource.status") || e.StartsWith("Bundle.entry[0].resource[0].status"));
    }
}
