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
                var entity = mapping.Create();
                for (var i = 0; i < mapping.Columns.Length; i++) mapping.Columns[i](entity, reader, i);
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
        // EF Core's own compiled getter of the key (the model already has one).
        var key = entityType.FindPrimaryKey()!.Properties.Single().GetGetter();
        var create = Expression.Lambda<Func<TEntity>>(Expression.New(typeof(TEntity).GetConstructor(
            BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)!)).Compile();
        return new Mapping(
            string.Join(", ", properties.Select(p => p.GetColumnName())),
            properties.Select(p => LoaderFor(p.PropertyInfo!)).ToArray(),
            create,
            entity => key.GetClrValueUsingContainingEntity(entity)!);
    });

    /// <summary>
    /// <c>entity.Property = reader.IsDBNull(ordinal) ? default : reader.GetFieldValue&lt;T&gt;(ordinal)</c> for the
    /// property's underlying type, compiled once: no reflection and no boxing for each column of each row.
    /// </summary>
    private static Action<TEntity, DbDataReader, int> LoaderFor(PropertyInfo property)
    {
        var entity = Expression.Parameter(typeof(TEntity));
        var reader = Expression.Parameter(typeof(DbDataReader));
        var ordinal = Expression.Parameter(typeof(int));
        var type = property.PropertyType;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        Expression read = Expression.Call(reader, typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!.MakeGenericMethod(underlying), ordinal);
        if (underlying != type) read = Expression.Convert(read, type);
        var value = Expression.Condition(
            Expression.Call(reader, typeof(DbDataReader).GetMethod(nameof(DbDataReader.IsDBNull))!, ordinal), Expression.Default(type), read);
        return Expression.Lambda<Action<TEntity, DbDataReader, int>>(
            Expression.Assign(Expression.Property(entity, property), value), entity, reader, ordinal).Compile();
    }

    private sealed record Mapping(string ColumnList, Action<TEntity, DbDataReader, int>[] Columns, Func<TEntity> Create, Func<TEntity, object> Key);
}
