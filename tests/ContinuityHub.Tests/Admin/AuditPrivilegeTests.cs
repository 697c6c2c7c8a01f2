using System.Net;
using System.Net.Http.Json;
using ContinuityHub.Security;
using ContinuityHub.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace ContinuityHub.Tests.Admin;

/// <summary>
/// The audit trail is append-only for the hub's own database role as a matter of privilege, not only of the
/// trigger: the hub works as a runtime role that does not own audit_log and is granted SELECT and INSERT on it.
/// </summary>
public sealed class AuditPrivilegeTests
{
    private const string Role = "continuityhub_test_app";
    private const string Password = "runtime-role-password";

    /// <summary>The hub as deployed with two roles: the schema owner migrates, the runtime role is the hub's own.</summary>
    private sealed class TwoRoleHub(string runtime, string owner) : HubFactory(runtime)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ConnectionStrings:HubMigrations", owner);
        }
    }

    private static string RuntimeConnection(string owner)
    {
        var builder = new NpgsqlConnectionStringBuilder(owner);
        TestPostgres.Execute(TestPostgres.Server.ConnectionString("postgres"), $"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{Role}') THEN
                    CREATE ROLE {Role} LOGIN PASSWORD '{Password}' NOSUPERUSER NOCREATEDB NOCREATEROLE;
                END IF;
            END $$;
            GRANT CONNECT ON DATABASE "{builder.Database}" TO {Role};
            """);
        builder.Username = Role;
        builder.Password = Password;
        return builder.ConnectionString;
    }

    private static PostgresException Refused(string connectionString, string sql) =>
        Assert.Throws<PostgresException>(() => TestPostgres.Execute(connectionString, sql));

    [Fact]
    public async Task The_hubs_runtime_role_adds_to_and_reads_the_audit_trail_but_cannot_change_remove_or_unprotect_it()
    {
        var owner = TestPostgres.CreateDatabase("privilege");
        var runtime = RuntimeConnection(owner);
        await using var hub = new TwoRoleHub(runtime, owner);
        var (referralId, _) = await hub.SubmitReleaseAsync(Notifications.Example());
        Assert.Equal(HttpStatusCode.OK, (await hub.ClientFor(HubRoles.TreatmentProvider, ods: "EXS2SN").GetAsync($"/fhir/ServiceRequest/{referralId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hub.ClientFor(HubRoles.Admin).GetAsync("/api/v1/audit")).StatusCode);

        // The hub wrote and read its audit entries as the runtime role…
        await using (var connection = new NpgsqlConnection(hub.ConnectionString))
        {
            await connection.OpenAsync();
            Assert.Equal(Role, (string?)await new NpgsqlCommand("SELECT current_user", connection).ExecuteScalarAsync());
            Assert.True((long)(await new NpgsqlCommand("SELECT count(*) FROM audit_log", connection).ExecuteScalarAsync())! >= 3);
        }
        // …which may not change, remove, truncate or unprotect them, nor grant itself the right to.
        Assert.All(new[]
        {
            Refused(hub.ConnectionString, "UPDATE audit_log SET actor_subject = 'nobody'"),
            Refused(hub.ConnectionString, "DELETE FROM audit_log"),
            Refused(hub.ConnectionString, "TRUNCATE audit_log"),
            Refused(hub.ConnectionString, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"),
            Refused(hub.ConnectionString, "DROP TABLE audit_log"),
        }, e => Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState));
        TestPostgres.Execute(hub.ConnectionString, $"GRANT UPDATE, DELETE ON audit_log TO {Role}"); // no grant option: grants nothing
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Refused(hub.ConnectionString, "DELETE FROM audit_log").SqlState);
        // Its other tables it works on as before.
        TestPostgres.Execute(hub.ConnectionString, "UPDATE people SET updated_at = updated_at");
    }
}
