using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContinuityHub.Features.Episodes;
using ContinuityHub.Features.Releases;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ContinuityHub.Tests.Intake;

/// <summary>A hub taking in one unit of work at a time, so a test can make notifications wait together for the next one.</summary>
public sealed class OneGroupAtATimeHub : HubFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Hub:Intake:ConcurrentGroups", "1");
    }
}

/// <summary>
/// The intake's group commit (<see cref="IntakeGroupCommit"/>): notifications that wait together are taken in as one
/// unit of work, each exactly as if it had come alone. A test holds one person's lock from outside, so the group
/// about them waits and the notifications sent meanwhile gather for the next group.
/// </summary>
public sealed class IntakeGroupCommitTests(OneGroupAtATimeHub hub) : IClassFixture<OneGroupAtATimeHub>
{
    [Fact]
    public async Task Notifications_that_waited_together_commit_together_and_each_is_audited_for_its_own_sender()
    {
        var blocked = Notifications.Example();
        var (first, second) = (Notifications.Example(), Notifications.Example(prisonCode: "FWI"));
        var firstClient = Client("ONI", "sender-one", "corr-one");
        var secondClient = Client("FWI", "sender-two", "corr-two");

        var (blockedAnswer, answers) = await WhileHeldAsync(Noms(blocked), Send(blocked), Send(first, firstClient), Send(second, secondClient));

        Assert.Equal(HttpStatusCode.Created, blockedAnswer.StatusCode);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        await using var db = hub.Db();
        // One transaction wrote both: their rows carry the same transaction id; the blocked one's is another.
        var transactions = await TransactionsOfAsync(db, blocked, first, second);
        Assert.Equal(transactions[1], transactions[2]);
        Assert.NotEqual(transactions[0], transactions[1]);
        foreach (var (notification, subject, correlation) in new[] { (first, "sender-one", "corr-one"), (second, "sender-two", "corr-two") })
        {
            var episodeId = (await db.ReleaseNotifications.SingleAsync(n => n.NotificationId == Id(notification))).EpisodeId.ToString();
            var audit = await db.AuditLog.SingleAsync(a => a.Action == "release-notification.receive" && a.ResourceId == episodeId);
            Assert.Equal(subject, audit.ActorSubject);
            Assert.Equal(HubRoles.PrisonHealthcare, audit.ActorRoles);
            Assert.Equal(correlation, audit.CorrelationId);
        }
    }

    [Fact]
    public async Task One_persons_notifications_are_taken_in_one_after_the_other_in_the_order_they_came()
    {
        var noms = Notifications.NewNomsNumber();
        var earlier = Notifications.Example(noms, releaseDate: "2026-12-01");
        var later = Notifications.Example(noms, releaseDate: "2026-12-05");
        var other = Notifications.Example();
        var blocker = Notifications.Example();

        var (blockedAnswer, answers) = await WhileHeldAsync(Noms(blocker), Send(blocker), Send(earlier), Send(other), Send(later));

        Assert.Equal(HttpStatusCode.Created, blockedAnswer.StatusCode);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        await using var db = hub.Db();
        var transactions = await TransactionsOfAsync(db, earlier, other, later);
        Assert.Equal(transactions[0], transactions[1]);
        Assert.NotEqual(transactions[0], transactions[2]);
        // The later notification saw the earlier one's episode and moved its planned date (contract §4.1: the latest wins).
        var episode = await db.Episodes.SingleAsync(e => e.NomsNumber == noms);
        Assert.Equal(new DateOnly(2026, 12, 5), episode.ReleaseDate);
    }

    [Fact]
    public async Task A_repeat_waiting_in_a_group_is_answered_as_a_repeat_and_the_rest_of_the_group_is_taken_in()
    {
        var stored = Notifications.Example();
        var created = await hub.PrisonClient().PostAsJsonAsync("/api/v1/releases", stored);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var fresh = Notifications.Example();
        var blocker = Notifications.Example();

        var (_, answers) = await WhileHeldAsync(Noms(blocker), Send(blocker), Send(stored), Send(fresh));

        Assert.Equal(HttpStatusCode.OK, answers[0].StatusCode);
        Assert.Equal((await created.Content.ReadFromJsonAsync<JsonElement>()).GetRawText(), (await answers[0].Content.ReadFromJsonAsync<JsonElement>()).GetRawText());
        Assert.Equal(HttpStatusCode.Created, answers[1].StatusCode);
        await using var db = hub.Db();
        Assert.Equal(1, await db.ReleaseNotifications.CountAsync(n => n.NotificationId == Id(stored)));
        Assert.Equal(1, await db.ReleaseNotifications.CountAsync(n => n.NotificationId == Id(fresh)));
    }

    [Fact]
    public async Task When_a_group_fails_its_notifications_are_taken_in_one_by_one_and_only_the_failing_one_fails()
    {
        var failing = Notifications.Example();
        var fine = Notifications.Example();
        var blocker = Notifications.Example();
        // A failure no input can cause (the validator keeps every value PostgreSQL would refuse out): a trigger of the test's own.
        var refuseOne = $"""
                CREATE FUNCTION test_refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.notification_id = '{Id(failing)}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER test_refuse_one BEFORE INSERT ON release_notifications FOR EACH ROW EXECUTE FUNCTION test_refuse_one();
                """;
        await using (var db = hub.Db())
            await db.Database.ExecuteSqlRawAsync(refuseOne);

        var (_, answers) = await WhileHeldAsync(Noms(blocker), Send(blocker), Send(failing), Send(fine));

        Assert.Equal(HttpStatusCode.InternalServerError, answers[0].StatusCode);
        Assert.Equal(HttpStatusCode.Created, answers[1].StatusCode);
        await using var check = hub.Db();
        Assert.False(await check.ReleaseNotifications.AnyAsync(n => n.NotificationId == Id(failing)));
        Assert.False(await check.People.AnyAsync(p => p.NomsNumber == Noms(failing)));
        Assert.True(await check.ReleaseNotifications.AnyAsync(n => n.NotificationId == Id(fine)));
    }

    /// <summary>
    /// Holds <paramref name="noms"/>'s lock while <paramref name="blocked"/> (about that person) waits for it, and starts
    /// the <paramref name="gathered"/> requests one after the other, each waiting for the next unit of work; then lets
    /// go and collects the answers.
    /// </summary>
    private async Task<(HttpResponseMessage Blocked, HttpResponseMessage[] Gathered)> WhileHeldAsync(string noms,
        Func<Task<HttpResponseMessage>> blocked, params Func<Task<HttpResponseMessage>>[] gathered)
    {
        var intake = hub.Services.GetRequiredService<IntakeGroupCommit>();
        await using var holder = new NpgsqlConnection(hub.ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1, hashtext($2))", holder)
                     { Parameters = { new() { Value = EpisodeLedger.PersonLockNamespace }, new() { Value = noms } } })
            await take.ExecuteNonQueryAsync();
        var answers = new List<Task<HttpResponseMessage>>();
        Task<HttpResponseMessage>? blockedAnswer = null;
        try
        {
            blockedAnswer = blocked();
            await Task.Delay(300);
            Assert.False(blockedAnswer.IsCompleted, "the blocked notification did not wait for its person's lock");
            foreach (var start in gathered)
            {
                answers.Add(start());
                await WaitUntilAsync(() => intake.Waiting == answers.Count);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", holder);
            await release.ExecuteNonQueryAsync();
        }
        return (await blockedAnswer!, await Task.WhenAll(answers));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition(), "the intake did not reach the expected state in 5 s");
    }

    private static async Task<List<long>> TransactionsOfAsync(Data.HubDbContext db, params JsonObject[] notifications)
    {
        var transactions = new List<long>();
        foreach (var notification in notifications)
            transactions.Add(await db.Database.SqlQuery<long>(
                $"SELECT xmin::text::bigint AS \"Value\" FROM release_notifications WHERE notification_id = {Id(notification)}").SingleAsync());
        return transactions;
    }

    /// <summary>Sends <paramref name="notification"/> when called (as the prison team, unless <paramref name="client"/>).</summary>
    private Func<Task<HttpResponseMessage>> Send(JsonObject notification, HttpClient? client = null) =>
        () => (client ?? hub.PrisonClient()).PostAsJsonAsync("/api/v1/releases", notification);

    private HttpClient Client(string prison, string subject, string correlation)
    {
        var client = hub.ClientFor(HubRoles.PrisonHealthcare, prisons: [prison], subject: subject);
        client.DefaultRequestHeaders.Add("X-Correlation-Id", correlation);
        return client;
    }

    private static string Noms(JsonObject notification) => notification["person"]!["nomsNumber"]!.GetValue<string>();
    private static Guid Id(JsonObject notification) => Guid.Parse(notification["notificationId"]!.GetValue<string>());
}
