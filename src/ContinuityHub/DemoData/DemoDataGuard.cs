using Npgsql;

namespace ContinuityHub.DemoData;

/// <summary>What the database holds, as far as the demo loader must know before it writes.</summary>
public sealed record DatabaseContents(long Episodes, long NotMadeByTheDemo)
{
    public bool Empty => Episodes == 0 && NotMadeByTheDemo == 0;
}

/// <summary>
/// How the demo loader tells demo data from real data. Everything it makes starts from a release
/// notification submitted by <see cref="DemoDataLoader.Actor"/>, and it never posts HMPPS events. So a database
/// holds real data when it has any notification submitted by anyone else, any HMPPS event, any episode
/// without a demo notification, or any person without an episode (made by an identifier-link event) —
/// whatever that data's NHS numbers look like (the loader never reads personal data to decide).
/// </summary>
public static class DemoDataGuard
{
    public static async Task<DatabaseContents> InspectAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM episodes),
                   (SELECT count(*) FROM release_notifications WHERE submitted_by <> $1)
                 + (SELECT count(*) FROM hmpps_events)
                 + (SELECT count(*) FROM episodes e
                    WHERE NOT EXISTS (SELECT 1 FROM release_notifications n WHERE n.episode_id = e.id AND n.submitted_by = $1))
                 + (SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = p.id))
            """, connection) { Parameters = { new() { Value = DemoDataLoader.Actor } } };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new DatabaseContents(reader.GetInt64(0), reader.GetInt64(1));
    }
}
