using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ContinuityHub.Data;

/// <summary>
/// Reads rows of an entity's table, selected by hand-written SQL, into tracked entities — for the few hot
/// paths that send several statements in one <see cref="Npgsql.NpgsqlBatch"/> (one round trip), which EF Core
/// queries cannot do. Column names and types come from the EF model, so a new property needs no change here
/// and the schema test still guards the mapping.
/// </summary>
public static class EntityRowReader<TEntity> where TEntity : class
{
    private static readonly ConcurrentDictionary<IModel, Mapping> Mappings = new();

    /// <summary>The entity's columns, for <c>SELECT {Columns(db)} FROM …</c>.</summary>
    public static string Columns(DbContext db) => MappingFor(db).ColumnList;

    /// <summary>
    /// Reads every row of the reader's current result into entities attached as unchanged. A row whose entity
    /// is already tracked yields the tracked instance, as an EF query would.
    /// </summary>
    public static async Task<List<TEntity>> ReadAllAsync(DbContext db, DbDataReader reader, CancellationToken cancellationToken)
    {
        var mapping = MappingFor(db);
        var found = new List<TEntity>();
        // The identity map answers "already tracked?" by key. With automatic change detection on, each look at the
        // tracked entities (Local, Entries) would first scan every one of them for changes: off while reading.
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            var local = db.Set<TEntity>().Local;
            while (await reader.ReadAsync(cancellationToken))
            {
                var entity = (TEntity)mapping.Create();
                for (var i = 0; i < mapping.Columns.Length; i++)
                    mapping.Columns[i].Set(entity, reader.IsDBNull(i) ? null : mapping.Columns[i].Read(reader, i));
                var tracked = local.FindEntryUntyped([mapping.Key(entity)]);
                if (tracked is not null) found.Add(tracked.Entity);
                else
                {
                    // The entity alone (Attach would also walk its navigations, which a row read here never has set).
                    db.Entry(entity).State = EntityState.Unchanged;
                    found.Add(entity);
                }
            }
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
        return found;
    }

    private static Mapping MappingFor(DbContext db) => Mappings.GetOrAdd(db.Model, model =>
    {
        var entityType = model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        var properties = entityType.GetProperties().Where(p => p.PropertyInfo is not null).ToArray();
        var key = entityType.FindPrimaryKey()!.Properties.Single().PropertyInfo!;
        return new Mapping(
            string.Join(", ", properties.Select(p => p.GetColumnName())),
            properties.Select(p => new Column(ReaderFor(p.ClrType), p.PropertyInfo!)).ToArray(),
            () => Activator.CreateInstance(typeof(TEntity), nonPublic: true)!,
            entity => key.GetValue(entity)!);
    });

    /// <summary>reader.GetFieldValue&lt;T&gt;(ordinal) for the property's underlying type, compiled once.</summary>
    private static Func<DbDataReader, int, object> ReaderFor(Type clrType)
    {
        var type = Nullable.GetUnderlyingType(clrType) ?? clrType;
        var reader = Expression.Parameter(typeof(DbDataReader));
        var ordinal = Expression.Parameter(typeof(int));
        var call = Expression.Call(reader, typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!.MakeGenericMethod(type), ordinal);
        return Expression.Lambda<Func<DbDataReader, int, object>>(Expression.Convert(call, typeof(object)), reader, ordinal).Compile();
    }

    private sealed record Column(Func<DbDataReader, int, object> Read, PropertyInfo Property)
    {
        public void Set(object entity, object? value) => Property.SetValue(entity, value);
    }

    private sealed record Mapping(string ColumnList, Column[] Columns, Func<object> Create, Func<TEntity, object> Key);
}
