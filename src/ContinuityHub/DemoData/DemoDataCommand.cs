using System.Globalization;
using ContinuityHub.Data;
using ContinuityHub.Infrastructure.Postgres;
using ContinuityHub.Mappings;

namespace ContinuityHub.DemoData;

/// <summary>
/// <c>demo-data [--days 365] [--per-weekday 11] [--seed 11]</c>: fills the hub's database (the embedded one unless
/// ConnectionStrings__Hub says otherwise) with a year of synthetic releases, so a new user sees full inboxes,
/// caseloads and a dashboard with a trend. Refuses outside the Development environment, and against a database
/// holding anything the loader did not make (<see cref="DemoDataGuard"/>); run again on demo data, it loads nothing.
/// </summary>
public static class DemoDataCommand
{
    public const string Name = "demo-data";
    private const string Usage = "Usage: demo-data [--days 1..730] [--per-weekday 1..100] [--seed N]";

    /// <returns>0 loaded (or already loaded), 1 refused, 2 bad arguments.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, string environmentName, string[] args, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        if (!string.Equals(environmentName, Environments.Development, StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine($"demo-data refuses to run in the {environmentName} environment: it writes made-up people into the hub's database. " +
                            "Run it on a development hub with ASPNETCORE_ENVIRONMENT=Development.");
            return 1;
        }
        if (!TryParse(args, out var days, out var perWeekday, out var seed, out var problem))
        {
            error.WriteLine($"demo-data: {problem}. {Usage}");
            return 2;
        }

        var database = services.GetRequiredService<HubDatabase>();
        var connectionString = database.ConnectionString;
        await database.PrepareSchemaAsync(services.GetRequiredService<MigrationRunner>(), cancellationToken);
        var contents = await DemoDataGuard.InspectAsync(connectionString, cancellationToken);
        if (contents.NotMadeByTheDemo > 0)
        {
            error.WriteLine($"demo-data refuses to run: the database holds {contents.NotMadeByTheDemo} record(s) the demo loader did not make " +
                            "(release notifications from others, HMPPS events, their episodes or people). Point the hub at an empty database " +
                            "(a new Hub__DataDirectory for the embedded one, or ConnectionStrings__Hub).");
            return 1;
        }
        if (contents.Episodes > 0)
        {
            output.WriteLine($"demo-data: the database already holds the demo's {contents.Episodes} releases; nothing loaded.");
            return 0;
        }

        output.WriteLine($"demo-data: loading {days} days of synthetic releases (about {perWeekday} a weekday, seed {seed}) through the hub's intake, referral and exclusion services…");
        var loader = new DemoDataLoader(services, services.GetRequiredService<ReferenceData>(), services.GetRequiredService<TimeProvider>());
        var summary = await loader.LoadAsync(days, perWeekday, seed, line => output.WriteLine($"demo-data: {line}"), cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"demo-data: {summary.Releases} releases, {summary.Referrals} referrals ({summary.Accepted} accepted, {summary.Rejected} rejected, " +
            $"{summary.Appointments} appointments, {summary.Engagements} engagements), {summary.Exclusions} exclusions, in {summary.Elapsed.TotalSeconds:0.0} s."));
        output.WriteLine("demo-data: start the hub (dotnet run --project src/ContinuityHub) and sign in at /dev/signin, e.g. as PROBATION for " +
                         $"{DemoPopulation.NorthPdu} or {DemoPopulation.WestPdu}, or TREATMENT_PROVIDER for {string.Join(" or ", services.GetRequiredService<ReferenceData>().Providers.Keys)}.");
        return 0;
    }

    private static bool TryParse(string[] args, out int days, out double perWeekday, out int seed, out string? problem)
    {
        (days, perWeekday, seed, problem) = (365, 11, 11, null);
        for (var i = 1; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            var ok = args[i] switch
            {
                "--days" => int.TryParse(value, CultureInfo.InvariantCulture, out days) && days is >= 1 and <= 730,
                "--per-weekday" => double.TryParse(value, CultureInfo.InvariantCulture, out perWeekday) && perWeekday is >= 1 and <= 100,
                "--seed" => int.TryParse(value, CultureInfo.InvariantCulture, out seed),
                _ => false,
            };
            if (!ok)
            {
                problem = value is null ? $"'{args[i]}' needs a value" : $"'{args[i]} {value}' is not understood";
                return false;
            }
        }
        return true;
    }
}
