using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Fhir;

/// <summary>FHIR searches (contract §5): searchset Bundles, working next links, filters, scope.</summary>
public sealed class FhirSearchTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private async Task<(Guid Referral, string Noms)> NewReferral(string postcode)
    {
        var noms = Notifications.NewNomsNumber();
        return ((await hub.SubmitReleaseAsync(Notifications.Example(noms, postcode: postcode))).ReferralId, noms);
    }

    [Fact]
    public async Task Another_provider_sees_none_of_them_even_when_it_asks_for_them()
    {
        var (referral, _) = await NewReferral("NN17 1AA");
        var other = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SW");

        var bundle = await other.GetFromJsonAsync<JsonElement>($"/fhir/Task?focus=ServiceRequest/{referral}");
        Assert.Equal(0, bundle.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Tasks_filter_by_owner_status_and_focus_and_requests_by_patient_identifier()
    {
        var (referral, noms) = await NewReferral("NN17 1AA");
        var client = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");
        await client.PostAsync($"/api/v1/referrals/{referral}/accept", null);

        var accepted = await client.GetFromJsonAsync<JsonElement>($"/fhir/Task?owner=EXS2SN&status=accepted&focus=ServiceRequest/{referral}");
        Assert.Equal(referral.ToString(), accepted.GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString());
        var byNoms = await client.GetFromJsonAsync<JsonElement>(
            $"/fhir/ServiceRequest?patient.identifier={Uri.EscapeDataString($"https://continuityhub.example.org/Id/noms-number|{noms}")}");
        Assert.Equal(1, byNoms.GetProperty("total").GetInt32());
        var updatedLongAgo = await client.GetFromJsonAsync<JsonElement>($"/fhir/ServiceRequest?patient.identifier={noms}&_lastUpdated=lt2000-01-01");
        Assert.Equal(0, updatedLongAgo.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_unsupported_parameter_is_refused_with_an_OperationOutcome()
    {
        var response = await hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN").GetAsync("/fhir/Task?patient=Patient/1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("patient", outcome.GetProperty("issue")[0].GetProperty("diagnostics").GetString());
    }
}

/// <summary>Paging, in a database of its own so the totals are exactly this test's referrals.</summary>
public sealed class FhirSearchPagingTests(HubFactory hub) : IClassFixture<HubFactory>
{
    private async Task<(Guid Referral, string Noms)> NewReferral(string postcode)
    {
        var noms = Notifications.NewNomsNumber();
        return ((await hub.SubmitReleaseAsync(Notifications.Example(noms, postcode: postcode))).ReferralId, noms);
    }

    [Fact]
    public async Task A_provider_pages_through_its_own_referrals_with_working_next_links()
    {
        var north = new List<Guid>();
        for (var i = 0; i < 3; i++) north.Add((await NewReferral("NN17 1AA")).Referral);
        var west = (await NewReferral("NN1 1AA")).Referral;
        var client = hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN");

        var first = await client.GetAsync("/fhir/ServiceRequest?performer=Organization/EXS2SN&status=active&_count=2");
        Assert.Equal("application/fhir+json", first.Content.Headers.ContentType?.MediaType);
        var firstJson = await first.Content.ReadAsStringAsync();
        var page1 = JsonDocument.Parse(firstJson).RootElement;
        Assert.Equal(("searchset", 3, 2), (page1.GetProperty("type").GetString(), page1.GetProperty("total").GetInt32(), page1.GetProperty("entry").GetArrayLength()));
        var next = page1.GetProperty("link").EnumerateArray().Single(l => l.GetProperty("relation").GetString() == "next").GetProperty("url").GetString()!;

        var page2 = await client.GetFromJsonAsync<JsonElement>(new Uri(next).PathAndQuery);
        Assert.Equal(1, page2.GetProperty("entry").GetArrayLength());
        Assert.DoesNotContain(page2.GetProperty("link").EnumerateArray(), l => l.GetProperty("relation").GetString() == "next");
        var seen = page1.GetProperty("entry").EnumerateArray().Concat(page2.GetProperty("entry").EnumerateArray())
            .Select(e => Guid.Parse(e.GetProperty("resource").GetProperty("id").GetString()!)).ToList();
        Assert.Equal(north.Order(), seen.Order());
        Assert.DoesNotContain(west, seen);
        Assert.Empty(FhirValidator.Validate([firstJson])[0]);
    }
}
