using System.Collections.Concurrent;
using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace ContinuityHub.Data;

/// <summary>
/// Writes the rows a unit of work added — a new person, episode, referral, stored notification, follow-ups, outbox
/// rows, audit entries — as one <see cref="NpgsqlBatch"/> (one round trip) of one INSERT a table, in foreign-key
/// order, and detaches them, so EF Core's <c>SaveChanges</c> is left only the changed rows. On the intake's busiest path EF Core's own insert pipeline (command building, parameter
/// creation, the reading back of every row's store values, accepting changes) cost more of the hub's CPU than
/// everything else in a request together (docs/performance.md, "Intake"). Columns, types and conversions come from
/// the EF model (each property's own type mapping creates its parameter), so a new property needs no change here and
/// the schema test still guards the mapping. Entity types with values the database generates (an identity column, a
/// computed column) keep those columns out of the INSERT; nothing here reads them back, and the entities are
/// detached, so no caller sees a stale key.
/// </summary>
public static class EntityRowWriter
{
    private static readonly ConcurrentDictionary<IModel, Plan> Plans = new();

    /// <summary>The fewest added rows written here when the unit of work also has changed rows for EF Core to save.</summary>
    public const int MinimumBesideChanges = 8;

    /// <summary>
    /// Inserts every added entity in the caller's open transaction and detaches it — unless the unit of work also has
    /// changed rows and only a few added ones (<see cref="MinimumBesideChanges"/>), which EF Core's save then carries.
    /// When nothing else was changed, the unit of work is left empty (nothing is tracked any more).
    /// </summary>
    public static async Task InsertAddedAsync(DbContext db, CancellationToken cancellationToken)
    {
        var transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("InsertAddedAsync writes in the caller's transaction; begin one first.");
        var plan = Plans.GetOrAdd(db.Model, model => new Plan(model));
        var entries = db.ChangeTracker.Entries().ToList();
        var added = entries.Where(e => e.State == EntityState.Added && plan.Writes(e.Metadata))
            .OrderBy(e => plan.Order(e.Metadata)).ThenBy(e => e.Metadata.Name, StringComparer.Ordinal).ToList();
        if (added.Count == 0) return;
        // With changed rows too, EF Core's save is a round trip anyway, and it would carry a few inserts in it: writing
        // them here costs a round trip of its own (an HMPPS event's one audit entry, say). Worth it from a new episode's
        // rows (person, episode, referral, notification, follow-ups, audit: about ten) upwards.
        var changed = entries.Any(e => e.State is EntityState.Modified or EntityState.Deleted
                                       || e.State == EntityState.Added && !plan.Writes(e.Metadata));
        if (added.Count < MinimumBesideChanges && changed) return;

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection) { Transaction = transaction };
        using var parameterFactory = new NpgsqlCommand();
        // One statement for each table's rows (a new episode's five follow-ups are one INSERT, not five): PostgreSQL and
        // Npgsql pay per statement, whatever its rows. A table's rows keep their order; tables go principals first.
        var rowsAt = 0;
        while (rowsAt < added.Count)
        {
            var type = added[rowsAt].Metadata;
            var table = plan.Table(type);
            var rows = added.Skip(rowsAt).TakeWhile(e => e.Metadata == type).Take(table.MaxRowsPerStatement).ToList();
            var command = new NpgsqlBatchCommand(table.InsertSql(rows.Count));
            foreach (var entry in rows)
            foreach (var column in table.Columns)
                command.Parameters.Add((NpgsqlParameter)column.Mapping.CreateParameter(
                    parameterFactory, "", column.Property.GetGetter().GetClrValueUsingContainingEntity(entry.Entity), column.Property.IsNullable));
            batch.BatchCommands.Add(command);
            rowsAt += rows.Count;
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e)
        {
            // As EF Core reports a failed save, so every caller and the error handler treat both alike.
            throw new DbUpdateException("An error occurred while saving the entity changes. See the inner exception for details.", e);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        if (!changed)
        {
            // Everything the unit of work had to save is saved: let go of it all at once (detaching row by row has EF
            // Core fix up every relationship). The caller's entities stay as they are, untracked.
            db.ChangeTracker.Clear();
            return;
        }
        // Dependents first: detaching a principal first would have EF Core sever its dependents' keys.
        for (var i = added.Count - 1; i >= 0; i--) added[i].State = EntityState.Detached;
    }

    private sealed record Column(IProperty Property, RelationalTypeMapping Mapping);

    private sealed class Table(string head, Column[] columns)
    {
        private readonly ConcurrentDictionary<int, string> sql = new();

        public Column[] Columns { get; } = columns;

        /// <summary>PostgreSQL takes at most 65,535 parameters a statement; a hundred rows a statement is plenty.</summary>
        public int MaxRowsPerStatement { get; } = Math.Max(1, Math.Min(100, ushort.MaxValue / columns.Length));

        /// <summary>The INSERT of <paramref name="rows"/> rows: <c>VALUES ($1, …), ($n+1, …)</c>.</summary>
        public string InsertSql(int rows) => sql.GetOrAdd(rows, count =>
        {
            var text = new System.Text.StringBuilder(head).Append(" VALUES ");
            for (var row = 0; row < count; row++)
            {
                text.Append(row == 0 ? "(" : ", (");
                for (var column = 0; column < Columns.Length; column++)
                    text.Append(column == 0 ? "" : ", ").Append('$').Append(row * Columns.Length + column + 1);
                text.Append(')');
            }
            return text.ToString();
        });
    }

    /// <summary>For each entity type of the model: whether it is written here, its INSERT, and its place in foreign-key order.</summary>
    private sealed class Plan
    {
        private readonly Dictionary<IEntityType, Table> tables = new();
        private readonly Dictionary<IEntityType, int> order = new();

        public Plan(IModel model)
        {
            foreach (var type in model.GetEntityTypes().Where(t => t.GetTableName() is not null && !t.IsOwned() && t.BaseType is null && !t.GetDerivedTypes().Any()))
            {
                var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
                var properties = type.GetProperties().ToList();
                // A shadow property the database does not compute would have no value to write: leave such types to EF.
                if (properties.Any(p => p.PropertyInfo is null && p.FieldInfo is null && !Generated(p))) continue;
                var columns = properties.Where(p => !Generated(p))
                    .Select(p => new Column(p, (RelationalTypeMapping)p.GetTypeMapping())).ToArray();
                var names = string.Join(", ", columns.Select(c => Quote(c.Property.GetColumnName(table)!)));
                var qualified = type.GetSchema() is { } schema ? $"{Quote(schema)}.{Quote(table.Name)}" : Quote(table.Name);
                tables[type] = new Table($"INSERT INTO {qualified} ({names})", columns);
            }
            // Principals before dependents: a type's place is one more than the deepest principal it refers to.
            foreach (var type in tables.Keys) Depth(type, []);
        }

        public bool Writes(IEntityType type) => tables.ContainsKey(type);
        public Table Table(IEntityType type) => tables[type];
        public int Order(IEntityType type) => order[type];

        private int Depth(IEntityType type, HashSet<IEntityType> visiting)
        {
            if (order.TryGetValue(type, out var known)) return known;
            if (!visiting.Add(type)) return 0;
            var depth = type.GetForeignKeys()
                .Select(fk => fk.PrincipalEntityType)
                .Where(principal => principal != type)
                .Select(principal => Depth(principal, visiting) + 1)
                .DefaultIfEmpty(0)
                .Max();
            visiting.Remove(type);
            return order[type] = depth;
        }

        /// <summary>A value the database makes: an identity column, a computed column, a default it supplies.</summary>
        private static bool Generated(IProperty property) =>
            property.GetComputedColumnSql() is not null
            || property.ValueGenerated != ValueGenerated.Never && property.GetDefaultValueSql() is not null
            || property.GetValueGenerationStrategy() is not NpgsqlValueGenerationStrategy.None;

        private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"")}\"";
    }
}
