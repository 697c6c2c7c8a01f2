using ContinuityHub.Tests.Infrastructure;

namespace ContinuityHub.Tests.Events;

/// <summary>Faults injected into the test database so that an event's processing fails, as a bug would make it.</summary>
public static class EventFaults
{
    /// <summary>From now on the database refuses to store an episode of this NOMS number (SQLSTATE P0001, "injected fault").</summary>
    public static void RefuseEpisodesOf(string connectionString, string noms)
    {
        var name = $"refuse_{noms.ToLowerInvariant()}";
        TestPostgres.Execute(connectionString, $"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.noms_number = '{noms}' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END; $$;
            CREATE TRIGGER {name} BEFORE INSERT ON episodes FOR EACH ROW EXECUTE FUNCTION {name}();
            """);
    }
}
