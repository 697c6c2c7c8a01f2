using ContinuityHub.Data;
using ContinuityHub.Features.FollowUps;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContinuityHub.Tests.FollowUps;

/// <summary>
/// An existing episode's follow-ups are re-planned with one set-based statement (<see cref="FollowUpPlanner"/>). It must
/// leave exactly the rows the row-by-row re-plan it replaced left: that re-plan is kept here as the reference
/// (<see cref="Reference"/>, the planner's code before the change), and both are run over episodes in every status with
/// rows in every state, missing, moved, retried and cancelled, around the clock's "now".
/// </summary>
public sealed class FollowUpReplanTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 22);
    private static readonly string[] States =
        [FollowUpStates.Scheduled, FollowUpStates.Done, FollowUpStates.Skipped, FollowUpStates.Cancelled, FollowUpStates.Failed];
    private static readonly string[] EpisodeStates = ["open", "open", "open", "engaged", "excluded", "not-engaged", "no-need"];

    [Fact]
    public async Task The_set_based_re_plan_of_an_existing_episode_leaves_the_rows_the_row_by_row_re_plan_left()
    {
        var database = TestPostgres.CreateDatabase("replan");
        var random = new Random(20261201);
        var cases = Enumerable.Range(0, 120).Select(i => Case.Random(i, random)).ToList();
        foreach (var c in cases) await c.InsertAsync(database);

        var clock = new TestClock(Now);
        foreach (var c in cases)
        {
            await using var db = new HubDbContext(new DbContextOptionsBuilder<HubDbContext>().UseNpgsql(database).Options);
            var before = await db.Set<FollowUp>().AsNoTracking().Where(f => f.EpisodeId == c.EpisodeId).ToListAsync();
            var episode = await db.Episodes.SingleAsync(e => e.Id == c.EpisodeId);
            var expected = Reference(episode, before, Now);

            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                // The planner queues its statement; the unit of work's writer sends it (as EpisodeLedger does).
                var queued = new QueuedStatements();
                await new FollowUpPlanner(db, queued, clock).OnEpisodeChangedAsync(episode, null, CancellationToken.None);
                await EntityRowWriter.WriteAsync(db, queued, CancellationToken.None);
                await transaction.CommitAsync();
            }

            var after = await db.Set<FollowUp>().AsNoTracking().Where(f => f.EpisodeId == c.EpisodeId).ToListAsync();
            Assert.True(Describe(expected).SequenceEqual(Describe(after)),
                $"case {c.Index} ({c.Status}, released {c.ReleaseDate}):\nexpected\n{string.Join("\n", Describe(expected))}\nactual\n{string.Join("\n", Describe(after))}");
        }
        // The cases reach every branch: moved, re-planned after a cancellation, cancelled, inserted, untouched.
        Assert.Contains(cases, c => c.Status == "open" && c.Rows.Any(r => r.State == FollowUpStates.Cancelled));
        Assert.Contains(cases, c => c.Status == "open" && c.Rows.Count < 5);
        Assert.Contains(cases, c => c.Status == "excluded" && c.Rows.Any(r => r.State == FollowUpStates.Scheduled));
    }

    /// <summary>Every column but the id of a newly planned row (a fresh UUID either way), ordered by checkpoint.</summary>
    private static List<string> Describe(IEnumerable<FollowUp> rows) =>
        rows.OrderBy(f => f.Checkpoint, StringComparer.Ordinal)
            .Select(f => $"{f.Checkpoint} due {f.DueAt.UtcDateTime:O} fire {f.FireAt.UtcDateTime:O} {f.State} '{f.Outcome}' attempts {f.Attempts} " +
                         $"error '{f.LastError}' ran {f.RanAt?.UtcDateTime:O} plan {f.PlanVersion} created {f.CreatedAt.UtcDateTime:O} updated {f.UpdatedAt.UtcDateTime:O}" +
                         (f.CreatedAt == Now ? "" : $" id {f.Id}"))
            .ToList();

    /// <summary>FollowUpPlanner's row-by-row re-plan as it was before the set-based statement, on copies of the rows.</summary>
    private static List<FollowUp> Reference(Episode episode, List<FollowUp> existing, DateTimeOffset now)
    {
        var rows = existing.Select(Copy).ToList();
        var cancelReason = FollowUpPlanner.WhyNoFollowUps(episode);
        if (cancelReason is not null && rows.Count == 0) return rows;
        foreach (var planned in FollowUpSchedule.For(episode.ReleaseDate))
        {
            var dueAt = planned.DueAt.ToUniversalTime();
            var code = FollowUpCheckpoints.Code(planned.Checkpoint);
            var row = rows.FirstOrDefault(f => f.Checkpoint == code);
            if (cancelReason is not null)
            {
                if (row is { State: FollowUpStates.Scheduled }) Change(row, now, FollowUpStates.Cancelled, cancelReason, row.DueAt);
                continue;
            }
            if (row is null)
            {
                row = new FollowUp
                {
                    Id = Guid.Empty, EpisodeId = episode.Id, Checkpoint = code, DueAt = dueAt, FireAt = dueAt,
                    CreatedAt = now, UpdatedAt = now, PlanVersion = 1,
                };
                (row.State, row.Outcome) = InitialState(planned, now);
                rows.Add(row);
            }
            else if (row.State == FollowUpStates.Scheduled && row.DueAt != dueAt)
            {
                Change(row, now, FollowUpStates.Scheduled, null, dueAt);
            }
            else if (row.State == FollowUpStates.Cancelled)
            {
                var (state, outcome) = InitialState(planned, now);
                Change(row, now, state, outcome, dueAt);
            }
        }
        return rows;
    }

    private static (string State, string? Outcome) InitialState(PlannedFollowUp planned, DateTimeOffset now) =>
        planned.DueAt <= now && planned.Checkpoint != FollowUpCheckpoint.WindowClose
            ? (FollowUpStates.Skipped, FollowUpPlanner.PastWhenPlanned)
            : (FollowUpStates.Scheduled, null);

    private static void Change(FollowUp row, DateTimeOffset now, string state, string? outcome, DateTimeOffset dueAt)
    {
        row.State = state;
        row.Outcome = outcome;
        row.DueAt = dueAt;
        row.FireAt = dueAt;
        row.Attempts = state == FollowUpStates.Scheduled ? 0 : row.Attempts;
        row.UpdatedAt = now;
        row.PlanVersion++;
    }

    private static FollowUp Copy(FollowUp f) => new()
    {
        Id = f.Id, EpisodeId = f.EpisodeId, Checkpoint = f.Checkpoint, DueAt = f.DueAt, FireAt = f.FireAt, State = f.State,
        Outcome = f.Outcome, Attempts = f.Attempts, LastError = f.LastError, RanAt = f.RanAt, PlanVersion = f.PlanVersion,
        CreatedAt = f.CreatedAt, UpdatedAt = f.UpdatedAt,
    };

    private sealed record Row(string Checkpoint, DateTimeOffset DueAt, DateTimeOffset FireAt, string State, string? Outcome, int Attempts,
        string? LastError, DateTimeOffset? RanAt, int PlanVersion);

    /// <summary>An episode (status, release date) with the rows an earlier plan left: some missing, some for another release date.</summary>
    private sealed record Case(int Index, Guid EpisodeId, string Status, DateOnly ReleaseDate, List<Row> Rows)
    {
        public static Case Random(int index, Random random)
        {
            var status = EpisodeStates[random.Next(EpisodeStates.Length)];
            var releaseDate = Today.AddDays(random.Next(-25, 12));
            // The plan the rows were made from: this release date, or one that has since moved.
            var plannedFor = random.Next(3) == 0 ? releaseDate : releaseDate.AddDays(random.Next(-4, 5));
            var rows = new List<Row>();
            foreach (var planned in FollowUpSchedule.For(plannedFor))
            {
                if (random.Next(6) == 0) continue; // missing (an episode that had no need, say)
                var state = States[random.Next(States.Length)];
                var due = planned.DueAt.ToUniversalTime();
                // A scheduled row may wait for a retry (fired later than due); finished rows carry their history.
                var fire = state == FollowUpStates.Scheduled && random.Next(3) == 0 ? due.AddMinutes(random.Next(1, 90)) : due;
                var attempts = random.Next(0, 3);
                rows.Add(new Row(FollowUpCheckpoints.Code(planned.Checkpoint), due, fire, state,
                    state is FollowUpStates.Scheduled ? null : $"outcome {random.Next(100)}", attempts,
                    attempts > 0 ? "HttpRequestException" : null, state is FollowUpStates.Done or FollowUpStates.Failed ? due : null,
                    random.Next(1, 4)));
            }
            return new Case(index, Guid.NewGuid(), status, releaseDate, rows);
        }

        public async Task InsertAsync(string database)
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            var personId = Guid.NewGuid();
            var noms = $"R{Index:D4}ZZ";
            var status = Status == "no-need" ? "open" : Status;
            await using (var command = new NpgsqlCommand("""
                INSERT INTO people (id, noms_number, created_at, updated_at) VALUES ($1, $2, now(), now());
                """, connection) { Parameters = { new() { Value = personId }, new() { Value = noms } } })
                await command.ExecuteNonQueryAsync();
            await using (var command = new NpgsqlCommand("""
                INSERT INTO episodes (id, person_id, noms_number, prison_code, release_date, release_date_source, movement_reason_unknown,
                                      no_fixed_abode, need_known, substances, consent_to_share, status, engaged_on, exclusion_reason,
                                      exclusion_date, created_at, updated_at, version)
                VALUES ($1, $2, $3, 'ONI', $4, 'released-notification', false, false, $5, $6, true, $7,
                        CASE WHEN $7 IN ('engaged', 'not-engaged') THEN $4 + 3 END, CASE WHEN $7 = 'excluded' THEN 'returnedToCustody' END,
                        CASE WHEN $7 = 'excluded' THEN $4 + 2 END, now(), now(), 2)
                """, connection)
            {
                Parameters =
                {
                    new() { Value = EpisodeId }, new() { Value = personId }, new() { Value = noms }, new() { Value = ReleaseDate },
                    new() { Value = Status != "no-need" }, new() { Value = Status == "no-need" ? Array.Empty<string>() : new[] { "opiates" } },
                    new() { Value = status },
                },
            })
                await command.ExecuteNonQueryAsync();
            foreach (var row in Rows)
            {
                await using var command = new NpgsqlCommand("""
                    INSERT INTO follow_ups (id, episode_id, checkpoint, due_at, fire_at, state, outcome, attempts, last_error, ran_at,
                                            plan_version, created_at, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
                    """, connection)
                {
                    Parameters =
                    {
                        new() { Value = Guid.NewGuid() }, new() { Value = EpisodeId }, new() { Value = row.Checkpoint }, new() { Value = row.DueAt },
                        new() { Value = row.FireAt }, new() { Value = row.State }, new() { Value = (object?)row.Outcome ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                        new() { Value = row.Attempts }, new() { Value = (object?)row.LastError ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                        new() { Value = (object?)row.RanAt ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz },
                        new() { Value = row.PlanVersion }, new() { Value = Now.AddDays(-30) },
                    },
                };
                await command.ExecuteNonQueryAsync();
            }
        }
    }
}
