using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace ContinuityHub.Data;

/// <summary>
/// Writes a unit of work — the rows it added (a new person, episode, referral, stored notification, follow-ups, outbox
/// rows, audit entries), the rows it changed, and the statements its observers queued (<see cref="QueuedStatements"/>)
/// — as one <see cref="NpgsqlBatch"/>: one round trip, in the caller's transaction. Added rows go as one INSERT a table,
/// principals first; a changed row as an UPDATE of its changed columns, guarded by its concurrency tokens as EF Core
/// guards them (no row updated: <see cref="DbUpdateConcurrencyException"/>). On the intake's paths EF Core's own save
/// pipeline (command building, parameter creation, reading back store values, accepting changes) cost more of the
/// hub's CPU than everything else in a request together (docs/performance.md, "Intake" and "HMPPS events path").
/// Columns, types and conversions come from the EF model (each property's own type mapping creates its parameter), so a
/// new property needs no change here and the schema test still guards the mapping. Columns the database computes are
/// left out and not read back. A unit of work this cannot write whole (a deleted row, a type outside the plan) is left
/// to EF Core, after its added rows and the queued statements are written here.
/// </summary>
public static partial class EntityRowWriter
{
    public enum WriteResult
    {
        /// <summary>Added rows and queued statements written; EF Core must save the rest.</summary>
        Partly,
        /// <summary>The whole unit of work written; the transaction is still open.</summary>
        Whole,
        /// <summary>The whole unit of work written and the transaction committed in the same round trip.</summary>
        Committed,
    }

    private static readonly ConcurrentDictionary<IModel, Plan> Plans = new();

    /// <summary>
    /// Writes the queued statements and every added and changed entity in the caller's open transaction. Returns
    /// <see cref="WriteResult.Partly"/> when EF Core's <c>SaveChanges</c> must still save what is left (the added rows
    /// are written and detached); otherwise the whole unit of work was written and the change tracker is emptied. With
    /// <paramref name="commit"/>, a whole write ends with the transaction's COMMIT in the same round trip
    /// (<see cref="WriteResult.Committed"/>): a statement that fails — a changed row's check included — stops the batch
    /// before it, so nothing is committed that would not have been.
    /// </summary>
    public static async Task<WriteResult> WriteAsync(DbContext db, QueuedStatements queued, CancellationToken cancellationToken, bool commit = false)
    {
        var transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("The unit of work is written in the caller's transaction; begin one first.");
        var plan = Plans.GetOrAdd(db.Model, model => new Plan(model));
        var entries = db.ChangeTracker.Entries().Where(e => e.State != EntityState.Unchanged).ToList();
        var added = entries.Where(e => e.State == EntityState.Added && plan.Writes(e.Metadata))
            .OrderBy(e => plan.Order(e.Metadata)).ThenBy(e => e.Metadata.Name, StringComparer.Ordinal).ToList();
        var modified = entries.Where(e => e.State == EntityState.Modified && plan.Updates(e.Metadata)).ToList();
        var whole = added.Count + modified.Count == entries.Count;
        var statements = queued.TakeAll();
        if (!whole) modified.Clear();
        if (statements.Count + added.Count + modified.Count == 0) return whole ? WriteResult.Whole : WriteResult.Partly;

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection) { Transaction = transaction };
        using var parameterFactory = new NpgsqlCommand();
        // The observers' statements first, as when they ran on their own before the save.
        foreach (var statement in statements) batch.BatchCommands.Add(statement);
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
                command.Parameters.Add(Parameter(parameterFactory, column, Current(column, entry)));
            batch.BatchCommands.Add(command);
            rowsAt += rows.Count;
        }
        var updated = new List<EntityEntry>();
        foreach (var entry in modified)
        {
            var update = plan.Table(entry.Metadata).Update(entry, parameterFactory, updated.Count);
            if (update is null) continue;
            batch.BatchCommands.Add(update);
            updated.Add(entry);
        }
        // Every UPDATE checks in the database that it changed its row (migration 0070), so a lost race stops the batch
        // before anything after it, the COMMIT included.
        var committing = commit && whole;
        if (committing) batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        if (batch.BatchCommands.Count > 0)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == RowGuardState && GuardedUpdate().Match(e.MessageText) is { Success: true } failed)
            {
                // As EF Core reports a row changed since it was read, so callers handle both alike.
                var stale = updated[int.Parse(failed.Groups[1].ValueSpan, CultureInfo.InvariantCulture)];
                throw new DbUpdateConcurrencyException(
                    "The database operation was expected to affect 1 row(s), but actually affected 0 row(s); data may have been modified or deleted since entities were loaded.",
                    e, [UpdateEntry(stale)]);
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
        }
        if (whole)
        {
            // Everything is saved: the unit of work lets go of it all at once (accepting or detaching row by row has EF
            // Core fix up every relationship). The caller's entities keep their values, untracked.
            db.ChangeTracker.Clear();
            return committing ? WriteResult.Committed : WriteResult.Whole;
        }
        // Dependents first: detaching a principal first would have EF Core sever its dependents' keys.
        for (var i = added.Count - 1; i >= 0; i--) added[i].State = EntityState.Detached;
        return WriteResult.Partly;
    }

    // EF Core reports which rows a concurrency check failed for as its update entries (the state manager's own entries,
    // reached through its infrastructure interface), so callers read DbUpdateConcurrencyException.Entries as always.
#pragma warning disable EF1001
    private static IUpdateEntry UpdateEntry(EntityEntry entry) => (IUpdateEntry)entry.GetInfrastructure();
#pragma warning restore EF1001

    private static object? Current(Column column, EntityEntry entry) =>
        column.Property.GetGetter().GetClrValueUsingContainingEntity(entry.Entity);

    /// <summary>The SQLSTATE <c>hub_expect_one_row</c> raises when an UPDATE did not change exactly its one row.</summary>
    private const string RowGuardState = "HC409";

    [GeneratedRegex("^row guard: update ([0-9]+) changed")]
    private static partial Regex GuardedUpdate();

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"")}\"";

    private static NpgsqlParameter Parameter(NpgsqlCommand factory, Column column, object? value) =>
        (NpgsqlParameter)column.Mapping.CreateParameter(factory, "", value, column.Property.IsNullable);

    private sealed record Column(IProperty Property, RelationalTypeMapping Mapping, string Name);

    private sealed class Table(string head, string qualifiedName, Column[] columns, Column? key, Column[] tokens)
    {
        private readonly ConcurrentDictionary<int, string> sql = new();

        public Column[] Columns { get; } = columns;

        public bool CanUpdate => key is not null;

        /// <summary>
        /// <c>UPDATE … SET</c> the entry's changed columns <c>WHERE</c> its key and its concurrency tokens' original values
        /// match, failing (SQLSTATE HC409, naming update <paramref name="number"/> of the batch) unless it changed exactly
        /// that row; null when no written column changed.
        /// </summary>
        public NpgsqlBatchCommand? Update(EntityEntry entry, NpgsqlCommand factory, int number)
        {
            if (key is null) throw new InvalidOperationException($"{qualifiedName} rows are only inserted here.");
            var text = new System.Text.StringBuilder("WITH changed AS (UPDATE ").Append(qualifiedName).Append(" SET ");
            var command = new NpgsqlBatchCommand();
            foreach (var column in Columns)
            {
                if (column == key || !entry.Property(column.Property.Name).IsModified) continue;
                command.Parameters.Add(Parameter(factory, column, Current(column, entry)));
                text.Append(command.Parameters.Count == 1 ? "" : ", ").Append(Quote(column.Name)).Append(" = $").Append(command.Parameters.Count);
            }
            if (command.Parameters.Count == 0) return null;
            command.Parameters.Add(Parameter(factory, key, Current(key, entry)));
            text.Append(" WHERE ").Append(Quote(key.Name)).Append(" = $").Append(command.Parameters.Count);
            foreach (var token in tokens)
            {
                var original = entry.Property(token.Property.Name).OriginalValue;
                if (original is null)
                {
                    text.Append(" AND ").Append(Quote(token.Name)).Append(" IS NULL");
                    continue;
                }
                command.Parameters.Add(Parameter(factory, token, original));
                text.Append(" AND ").Append(Quote(token.Name)).Append(" = $").Append(command.Parameters.Count);
            }
            command.Parameters.Add(new NpgsqlParameter { Value = number });
            command.CommandText = text.Append(" RETURNING 1) SELECT hub_expect_one_row(count(*), $").Append(command.Parameters.Count)
                .Append(") FROM changed").ToString();
            return command;
        }

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
                    .Select(p => new Column(p, (RelationalTypeMapping)p.GetTypeMapping(), p.GetColumnName(table)!)).ToArray();
                var names = string.Join(", ", columns.Select(c => Quote(c.Name)));
                var qualified = type.GetSchema() is { } schema ? $"{Quote(schema)}.{Quote(table.Name)}" : Quote(table.Name);
                var tokens = columns.Where(c => c.Property.IsConcurrencyToken).ToArray();
                // A changed row is found again by its one key column, written by the hub (rows keyed by an identity column,
                // the audit log's, are only ever inserted).
                var key = type.FindPrimaryKey()?.Properties is [var keyProperty] ? columns.SingleOrDefault(c => c.Property == keyProperty) : null;
                tables[type] = new Table($"INSERT INTO {qualified} ({names})", qualified, columns, key, tokens);
            }
            // Principals before dependents: a type's place is one more than the deepest principal it refers to.
            foreach (var type in tables.Keys) Depth(type, []);
        }

        public bool Writes(IEntityType type) => tables.ContainsKey(type);
        public bool Updates(IEntityType type) => tables.TryGetValue(type, out var table) && table.CanUpdate;
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

    }
}
