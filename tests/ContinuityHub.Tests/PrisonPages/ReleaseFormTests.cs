using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Features.Releases;
using ContinuityHub.Features.Releases.Form;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContinuityHub.Tests.PrisonPages;

/// <summary>
/// The "Notify a release" form's answers become the API's §4.1 notification, are judged by the API's validator
/// (its messages, on the form's fields) and are sent through the API's submission pipeline.
/// </summary>
public sealed class ReleaseFormTests(HubFactory hub) : IClassFixture<HubFactory>
{
    /// <summary>The contract's example notification, as a person fills it in on the form.</summary>
    public static ReleaseFormAnswers ExampleAnswers(string nomsNumber = "A1234BC", string prison = "ONI") => new()
    {
        Person = new PersonAnswers
        {
            NomsNumber = nomsNumber, NhsNumber = "943 476 5919", Crn = "X123456", PncNumber = "2001/0123456F",
            GivenName = "Sam", FamilyName = "Example", DateOfBirth = new DateAnswer { Day = "14", Month = "3", Year = "1985" }, Gender = "male",
        },
        Release = new ReleaseAnswers
        {
            PrisonCode = prison, ReleaseDate = new DateAnswer { Day = "1", Month = "12", Year = "2026" }, Status = "planned",
            ReleaseType = "licence", Destination = Destinations.Address, Postcode = "NN17 1AA",
        },
        Need = new NeedAnswers
        {
            Substances = ["opiates", "crack"], InTreatmentInCustody = "true", OnOst = "true", OstMedication = "methadone",
            OstDailyDoseMg = "60", OstLastDoseDate = new DateAnswer { Day = "30", Month = "11", Year = "2026" },
            OstBridgingPrescription = "true", NaloxoneIssued = "true",
        },
        Contacts = new ContactAnswers
        {
            ConsentToShare = "true", PrisonTeamEmail = "healthcare.oni@example.nhs.uk", ProbationPractitionerName = "Jo Smith",
            ProbationPractitionerEmail = "jo.smith@example.justice.gov.uk", ProbationPduCode = "N56NNE",
        },
    };

    public static HubUser PrisonUser(string subject = "dev:Pat Prison", params string[] prisons) => new(new ClaimsPrincipal(new ClaimsIdentity(
        [new Claim(HubClaims.Subject, subject), new Claim(HubClaims.Roles, HubRoles.PrisonHealthcare),
         .. (prisons.Length == 0 ? ["ONI"] : prisons).Select(p => new Claim(HubClaims.Prisons, p))], "test")));

    private static readonly Guid ExampleId = Guid.Parse("3f2b8a1e-6a55-4f53-9f5e-1d2c3b4a5e6f");

    [Fact]
    public void The_example_filled_in_on_the_form_is_the_API_example_notification()
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs/examples/release-notification.json")))!.AsObject();
        expected["release"]!["destination"]!.AsObject().Remove("localAuthorityCode"); // null in the example, left out by the form

        var built = ReleaseFormNotification.Build(ExampleAnswers(), ExampleId);

        Assert.Equal(CanonicalJson.From(JsonSerializer.SerializeToElement(expected)).Text, CanonicalJson.From(built.Document).Text);
    }

    [Fact]
    public void Every_field_of_the_notification_is_asked_on_a_step_of_the_form()
    {
        var example = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs/examples/release-notification.json"))).RootElement;
        var leaves = Leaves(example, "").Where(p => p is not ("/notificationId" or "/source")).ToList();

        Assert.NotEmpty(leaves);
        Assert.All(leaves, pointer => Assert.NotNull(ReleaseFormFields.For(pointer)));
        Assert.All(ReleaseFormFields.All, field => Assert.Contains(field.Step, ReleaseFormSteps.All));
    }

    [Fact]
    public void A_step_shows_the_validators_message_for_each_of_its_fields_and_nothing_of_later_steps()
    {
        using var scope = hub.Services.CreateScope();
        var form = scope.ServiceProvider.GetRequiredService<ReleaseForm>();
        var validator = scope.ServiceProvider.GetRequiredService<ReleaseNotificationValidator>();
        var answers = new ReleaseFormAnswers
        {
            Person = new PersonAnswers
            {
                NomsNumber = "12345", GivenName = "Sam", NhsNumber = "9434765918",
                DateOfBirth = new DateAnswer { Day = "31", Month = "2", Year = "1985" },
            },
        };

        var errors = form.Check(answers, Guid.NewGuid(), ReleaseFormSteps.Person);

        // What the API says about the same values, word for word.
        var api = Notifications.Example();
        api["person"]!["nomsNumber"] = "12345";
        api["person"]!["nhsNumber"] = "9434765918";
        var (_, apiProblems) = validator.Validate(JsonSerializer.SerializeToElement(api));
        string Api(string pointer) => apiProblems.Single(p => p.Pointer == pointer).Detail;

        Assert.Equal(
        [
            new ReleaseFormError(ReleaseFormSteps.Person, "nomsNumber", "NOMS number " + Api("/person/nomsNumber")),
            new ReleaseFormError(ReleaseFormSteps.Person, "familyName", "Family name is required."),
            new ReleaseFormError(ReleaseFormSteps.Person, "dateOfBirth-day", "Date of birth must be a real date, for example 27 3 2007."),
            new ReleaseFormError(ReleaseFormSteps.Person, "nhsNumber", "NHS number " + Api("/person/nhsNumber")),
        ], errors);
        Assert.Contains(form.Check(answers, Guid.NewGuid()), e => e.Step == ReleaseFormSteps.Release && e.FieldId == "prisonCode");
    }

    [Fact]
    public void Ticking_a_substance_and_no_treatment_need_together_is_refused()
    {
        using var scope = hub.Services.CreateScope();
        var form = scope.ServiceProvider.GetRequiredService<ReleaseForm>();
        var answers = ExampleAnswers();
        answers.Need.NoNeed = true;

        var error = Assert.Single(form.Check(answers, Guid.NewGuid(), ReleaseFormSteps.Need));

        Assert.Equal("substances", error.FieldId);
    }

    [Fact]
    public async Task Sending_goes_through_the_intake_once_however_often_it_is_sent()
    {
        var user = PrisonUser();
        var noms = Notifications.NewNomsNumber();
        ReleaseFormDraft draft;
        using (var scope = hub.Services.CreateScope())
        {
            var drafts = scope.ServiceProvider.GetRequiredService<ReleaseFormDrafts>();
            draft = await drafts.StartAsync(user, CancellationToken.None);
            await drafts.SaveAsync(draft, ExampleAnswers(noms), CancellationToken.None);
        }
        // Each send is its own request (its own scope), as from a browser.
        async Task<ReleaseFormOutcome> SendAsync(ReleaseFormDraft? readEarlier = null)
        {
            using var scope = hub.Services.CreateScope();
            var current = readEarlier ?? (await scope.ServiceProvider.GetRequiredService<ReleaseFormDrafts>().FindAsync(draft.Id, user, CancellationToken.None))!;
            return await scope.ServiceProvider.GetRequiredService<ReleaseForm>().SendAsync(current, user, CancellationToken.None);
        }
        Assert.Null(draft.SubmittedAt);

        var first = await SendAsync();
        // A double click: the second request read the draft (not yet sent) before the first marked it sent.
        var second = await SendAsync(readEarlier: draft);
        var third = await SendAsync();

        Assert.Equal(new ReleaseFormOutcome.Sent(draft.NotificationId), first);
        Assert.Equal(first, second);
        Assert.Equal(first, third);
        await using var db = hub.Db();
        var stored = await db.ReleaseNotifications.SingleAsync(n => n.NotificationId == draft.NotificationId);
        Assert.Equal(ReleaseSources.PrisonHealthcare, stored.Source);
        Assert.Equal(ReferralOutcomes.Created, stored.ReferralOutcome);
        Assert.Equal(1, await db.Episodes.CountAsync(e => e.NomsNumber == noms));
        Assert.Equal("{}", (await db.Set<ReleaseFormDraft>().SingleAsync(d => d.Id == draft.Id)).Answers);
    }

    [Fact]
    public async Task A_prison_outside_the_callers_scope_is_refused_on_the_prison_field_and_nothing_is_written()
    {
        using var scope = hub.Services.CreateScope();
        var form = scope.ServiceProvider.GetRequiredService<ReleaseForm>();
        var drafts = scope.ServiceProvider.GetRequiredService<ReleaseFormDrafts>();
        var user = PrisonUser("dev:Pat Prison", "ONI");
        var noms = Notifications.NewNomsNumber();
        var draft = await drafts.StartAsync(user, CancellationToken.None);
        await drafts.SaveAsync(draft, ExampleAnswers(noms, prison: "WDI"), CancellationToken.None);

        var outcome = await form.SendAsync((await drafts.FindAsync(draft.Id, user, CancellationToken.None))!, user, CancellationToken.None);

        var error = Assert.Single(Assert.IsType<ReleaseFormOutcome.Invalid>(outcome).Errors);
        Assert.Equal(("release", "prisonCode"), (error.Step, error.FieldId));
        Assert.Contains("WDI", error.Message);
        Assert.DoesNotContain(form.PrisonsFor(user), p => p.Code == "WDI");
        await using var db = hub.Db();
        Assert.False(await db.Episodes.AnyAsync(e => e.NomsNumber == noms));
        Assert.False(await db.ReleaseNotifications.AnyAsync(n => n.NotificationId == draft.NotificationId));
    }

    [Fact]
    public async Task A_draft_is_only_found_by_the_person_who_started_it()
    {
        using var scope = hub.Services.CreateScope();
        var drafts = scope.ServiceProvider.GetRequiredService<ReleaseFormDrafts>();
        var draft = await drafts.StartAsync(PrisonUser("dev:Owner"), CancellationToken.None);

        Assert.NotNull(await drafts.FindAsync(draft.Id, PrisonUser("dev:Owner"), CancellationToken.None));
        Assert.Null(await drafts.FindAsync(draft.Id, PrisonUser("dev:Someone else"), CancellationToken.None));
    }

    private static IEnumerable<string> Leaves(JsonElement element, string pointer) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Leaves(p.Value, $"{pointer}/{p.Name}")),
        _ => [pointer],
    };
}
