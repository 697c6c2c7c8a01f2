using System.Text.RegularExpressions;
using Npgsql;

namespace ContinuityHub.Data;

/// <summary>
/// The hub's two database roles (docs/decisions.md, "The audit trail's privileges"): the schema owner runs the
/// migrations (<c>ConnectionStrings:HubMigrations</c>; the embedded cluster's superuser), and the hub works as a
/// runtime role of its own (<c>ConnectionStrings:Hub</c>; <see cref="EmbeddedName"/> on the embedded cluster) that
/// owns none of the migrated tables. After each migration run the owner grants the runtime role what it needs:
/// reading and writing every table, except the audit trail, which it may only read and add to. Not owning
/// <c>audit_log</c>, it can neither change nor remove an entry, nor disable the append-only trigger, nor grant
/// itself more.
/// </summary>
public static partial class RuntimeRole
{
    public const string EmbeddedName = "continuityhub_app";

    /// <summary>On the embedded cluster: the runtime role, able to log in with <paramref name="password"/>, to use the database and create its own tables (Hangfire's).</summary>
    public static void EnsureExists(string superuserConnectionString, string database, string password)
    {
        using var connection = new NpgsqlConnection(superuserConnectionString);
        connection.Open();
        Execute(connection, $"""
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{EmbeddedName}') THEN
                    CREATE ROLE {EmbeddedName} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
                END IF;
            END $$;
            """);
        using (var command = new NpgsqlCommand($"ALTER ROLE {EmbeddedName} WITH PASSWORD '{password.Replace("'", "''")}'", connection))
            command.ExecuteNonQuery();
        Execute(connection, $"GRANT CONNECT, CREATE, TEMPORARY ON DATABASE \"{database}\" TO {EmbeddedName}");
    }

    /// <summary>
    /// Grants the runtime role of <paramref name="runtimeConnectionString"/> its privileges, as the owner of
    /// <paramref name="ownerConnectionString"/>; false (and nothing done) when both are the same role, in which case
    /// only the append-only trigger protects the audit trail.
    /// </summary>
    public static async Task<bool> GrantAsync(string ownerConnectionString, string runtimeConnectionString, CancellationToken cancellationToken)
    {
        var owner = new NpgsqlConnectionStringBuilder(ownerConnectionString).Username;
        var runtime = new NpgsqlConnectionStringBuilder(runtimeConnectionString).Username;
        if (runtime is null || string.Equals(owner, runtime, StringComparison.Ordinal)) return false;
        if (!RoleName().IsMatch(runtime))
            throw new InvalidOperationException("The runtime database role (the Username of ConnectionStrings:Hub) must be a plain lower-case name (letters, digits, _).");

        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync(cancellationToken);
        // Every schema of the database (public, and those of the job store), then the audit trail taken back out.
        await using var command = new NpgsqlCommand($$"""
            DO $$
            DECLARE s name;
            BEGIN
                FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' LOOP
                    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO {{runtime}}', s);
                    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {{runtime}}', s);
                    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO {{runtime}}', s);
                END LOOP;
            END $$;
            REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM {{runtime}};
            REVOKE UPDATE ON SEQUENCE audit_log_id_seq FROM {{runtime}};
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")] private static partial Regex RoleName();
}
