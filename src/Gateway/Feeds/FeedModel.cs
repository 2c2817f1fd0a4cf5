using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SharingHub.Gateway.Feeds;

/// <summary>
/// A row of a change-feed table: an append-only table whose rows subscribers read in commit order
/// (<see cref="FeedReader"/>). <see cref="Tx"/> is the writing transaction's id, which is what makes the order
/// lossless: see ADR-009, "The change feed".
/// </summary>
public interface IFeedEntry
{
    /// <summary>The row's id (increasing, but not in commit order).</summary>
    long Id { get; }

    /// <summary>
    /// The id of the transaction that wrote the row (<c>pg_current_xact_id()</c>, set by the column's default). Every
    /// row of a transaction below the database's oldest running transaction is committed or gone for good.
    /// </summary>
    long Tx { get; }
}

/// <summary>Schema of a change-feed table: the <see cref="IFeedEntry.Tx"/> column, its index and its NOTIFY trigger.</summary>
public static class FeedModel
{
    /// <summary>The one PostgreSQL channel every feed table notifies; the payload is <c>table:xid</c>.</summary>
    public const string Channel = "hub_feed";

    /// <summary>
    /// Maps <typeparamref name="T"/>'s <see cref="IFeedEntry.Tx"/> as written by the database and indexes
    /// (<c>tx</c>, <c>id</c>), the order subscribers read in. The migration that adds a feed table also calls
    /// <see cref="AddNotifyTrigger"/>.
    /// </summary>
    public static EntityTypeBuilder<T> IsChangeFeed<T>(this EntityTypeBuilder<T> builder)
        where T : class, IFeedEntry
    {
        ArgumentNullException.ThrowIfNull(builder);
        // xid8 has no cast to bigint; it is a 64-bit counter that never wraps, so its text is a bigint.
        builder.Property<long>(nameof(IFeedEntry.Tx)).HasDefaultValueSql("pg_current_xact_id()::text::bigint").ValueGeneratedOnAdd();
        builder.HasIndex(nameof(IFeedEntry.Tx), nameof(IFeedEntry.Id));
        return builder;
    }

    /// <summary>
    /// Creates (once, shared by every feed table) the trigger function that notifies <see cref="Channel"/>. It sends
    /// only the table's name and the transaction id, never row contents; one statement sends one notification, and
    /// PostgreSQL folds a transaction's equal notifications into one, delivered at commit.
    /// </summary>
    public static void CreateNotifyFunction(this MigrationBuilder migration)
    {
        ArgumentNullException.ThrowIfNull(migration);
        migration.Sql($"""
            CREATE OR REPLACE FUNCTION hub_feed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM inserted) THEN
                    PERFORM pg_notify('{Channel}', TG_TABLE_NAME || ':' || pg_current_xact_id()::text);
                END IF;
                RETURN NULL;
            END $$;
            """);
    }

    /// <summary>Drops the function of <see cref="CreateNotifyFunction"/> (after the last trigger that uses it).</summary>
    public static void DropNotifyFunction(this MigrationBuilder migration)
    {
        ArgumentNullException.ThrowIfNull(migration);
        migration.Sql("DROP FUNCTION IF EXISTS hub_feed_notify();");
    }

    /// <summary>Makes inserts into <paramref name="table"/> notify <see cref="Channel"/> with the table's name.</summary>
    public static void AddNotifyTrigger(this MigrationBuilder migration, string table)
    {
        ArgumentNullException.ThrowIfNull(migration);
        migration.Sql($"""
            CREATE TRIGGER {table}_feed_notify AFTER INSERT ON {table}
                REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION hub_feed_notify();
            """);
    }

    /// <summary>
    /// Notifies <see cref="Channel"/> with <c>table:xid</c> at every statement that changes <paramref name="table"/>
    /// (insert, update, delete or truncate), for in-process copies of small tables that must not go stale
    /// (<see cref="Data.AgencyDirectory"/>). Only the table's name and the transaction id are sent.
    /// </summary>
    public static void AddChangeNotifyTrigger(this MigrationBuilder migration, string table)
    {
        ArgumentNullException.ThrowIfNull(migration);
        migration.Sql($"""
            CREATE OR REPLACE FUNCTION hub_table_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('{Channel}', TG_TABLE_NAME || ':' || pg_current_xact_id()::text);
                RETURN NULL;
            END $$;
            CREATE TRIGGER {table}_changed_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION hub_table_changed_notify();
            """);
    }

    /// <summary>Removes the trigger of <see cref="AddChangeNotifyTrigger"/>.</summary>
    public static void DropChangeNotifyTrigger(this MigrationBuilder migration, string table)
    {
        ArgumentNullException.ThrowIfNull(migration);
        migration.Sql($"DROP TRIGGER IF EXISTS {table}_changed_notify ON {table};");
    }

    /// <summary>Removes the trigger of <see cref="AddNotifyTrigger"/>.</summary>
    public static void DropNotifyTrigger(this MigrationBuilder migration, string table)
    {
        ArgumentNullException.ThrowIfNull(migration);
        migration.Sql($"DROP TRIGGER IF EXISTS {table}_feed_notify ON {table};");
    }
}
