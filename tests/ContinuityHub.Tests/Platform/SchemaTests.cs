using ContinuityHub.Data;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ContinuityHub.Tests.Platform;

/// <summary>The hand-written migrations and the EF model describe the same schema, and apply safely.</summary>
public sealed class SchemaTests
{
    [Fact]
    public async Task The_migrated_schema_matches_the_schema_EF_would_create_from_the_model()
    {
        var migrated = TestPostgres.CreateEmptyDatabase("migrated");
        await new MigrationRunner(NullLogger<MigrationRunner>.Instance).ApplyAsync(migrated, CancellationToken.None);
        var fromModel = TestPostgres.CreateEmptyDatabase("model");
        await using (var db = new HubDbContext(new DbContextOptionsBuilder<HubDbContext>().UseNpgsql(fromModel).Options))
            await db.Database.EnsureCreatedAsync();

        Assert.Equal(await DescribeAsync(fromModel), await DescribeAsync(migrated));
    }

    /// <summary>Columns (type, nullability, identity), indexes (columns, uniqueness) and foreign keys, as text lines.</summary>
    private static async Task<List<string>> DescribeAsync(string connectionString)
    {
        const string sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name || ' ' || is_nullable || ' ' || is_identity
                   || coalesce(' ' || numeric_precision || ',' || numeric_scale, '')
              FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
            UNION ALL
            SELECT 'index ' || regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \S+ ', 'CREATE \1INDEX ')
              FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'schema_migrations'
            UNION ALL
            -- A constraint added NOT VALID (rows stored before it are kept) is the same constraint as the model's.
            SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || regexp_replace(pg_get_constraintdef(oid), ' NOT VALID$', '')
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'schema_migrations'
            ORDER BY 1
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return lines;
    }

    [Fact]
    public async Task Nodes_migrating_at_the_same_moment_apply_each_script_once()
    {
        var database = TestPostgres.CreateEmptyDatabase("race");
        var runners = Enumerable.Range(0, 4)
            .Select(_ => new MigrationRunner(NullLogger<MigrationRunner>.Instance).ApplyAsync(database, CancellationToken.None));
        await Task.WhenAll(runners);

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", connection);
        Assert.Equal((long)MigrationRunner.Scripts.Count, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_migration_changed_after_it_was_applied_stops_the_start_up()
    {
        var database = TestPostgres.CreateDatabase("tampered");
        TestPostgres.Execute(database, "UPDATE schema_migrations SET checksum = 'changed' WHERE version = '0001'");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new MigrationRunner(NullLogger<MigrationRunner>.Instance).ApplyAsync(database, CancellationToken.None));
        Assert.Contains("0001", error.Message);
    }

    [Fact]
    public void The_audit_trail_refuses_updates_and_deletes()
    {
        var database = TestPostgres.CreateDatabase("audit");
        TestPostgres.Execute(database, """
            INSERT INTO audit_log (occurred_at, actor_subject, actor_roles, action, resource_type, resource_id)
            VALUES (now(), 'someone', 'ADMIN', 'read', 'Episode', 'x')
            """);

        Assert.Throws<PostgresException>(() => TestPostgres.Execute(database, "UPDATE audit_log SET actor_subject = 'nobody'"));
        Assert.Throws<PostgresException>(() => TestPostgres.Execute(database, "DELETE FROM audit_log"));
        Assert.Throws<PostgresException>(() => TestPostgres.Execute(database, "TRUNCATE audit_log"));
    }
}
