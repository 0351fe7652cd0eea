using Dapper;
using Microsoft.Data.Sqlite;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The license database's numbered history on SQLite (the same versions and descriptions as <see cref="PostgresLicenseSchema"/>);
/// <c>schema_version</c> records each one applied, so a start only runs the new ones.
/// </summary>
internal static class SqliteSchema
{
    private const string Columns = "license_id, cal_type, version, subject, status, key_pack_id, issued_at, expires_at, validated, assigned_at, " +
        "revoked_at, seat_held_until, seat_reclaimed, computer_name, user_domain, user_name, session_host_id";

    /// <summary>The licenses table's columns after its key (migration 1's rowid table, migration 5's table keyed by license id).</summary>
    private const string LicenseFields = """
            cal_type INTEGER NOT NULL,
            version INTEGER NOT NULL,
            subject TEXT NOT NULL,
            status INTEGER NOT NULL,
            key_pack_id TEXT,
            issued_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            validated INTEGER NOT NULL,
            assigned_at INTEGER,
            revoked_at INTEGER,
            seat_held_until INTEGER,
            seat_reclaimed INTEGER NOT NULL DEFAULT 0,
            computer_name TEXT,
            user_domain TEXT,
            user_name TEXT,
            session_host_id TEXT
            """;

    /// <summary>The licenses table's indexes (migration 1, and again on the table migration 5 rebuilds).</summary>
    private const string LicenseIndexes = """
        CREATE INDEX ix_licenses_subject ON licenses (subject, cal_type);
        CREATE INDEX ix_licenses_seats ON licenses (key_pack_id, seat_held_until) WHERE key_pack_id IS NOT NULL;
        CREATE INDEX ix_licenses_version_status ON licenses (cal_type, version, status, expires_at);
        CREATE INDEX ix_licenses_reclaim ON licenses (seat_held_until) WHERE seat_reclaimed = 0 AND status IN (2, 6);
        CREATE INDEX ix_licenses_overused ON licenses (expires_at) WHERE status = 5;
        """;

    /// <summary>The triggers that keep pack_seat_days (migration 2, and again on the table migration 5 rebuilds).</summary>
    private const string LicenseSeatTriggers = """
        CREATE TRIGGER tr_licenses_seat_insert AFTER INSERT ON licenses
        WHEN NEW.key_pack_id IS NOT NULL AND NEW.seat_held_until IS NOT NULL
        BEGIN
            INSERT INTO pack_seat_days (key_pack_id, day, seats) VALUES (NEW.key_pack_id, NEW.seat_held_until / 864000000000, 1)
                ON CONFLICT (key_pack_id, day) DO UPDATE SET seats = seats + 1;
        END;
        CREATE TRIGGER tr_licenses_seat_delete AFTER DELETE ON licenses
        WHEN OLD.key_pack_id IS NOT NULL AND OLD.seat_held_until IS NOT NULL
        BEGIN
            UPDATE pack_seat_days SET seats = seats - 1 WHERE key_pack_id = OLD.key_pack_id AND day = OLD.seat_held_until / 864000000000;
        END;
        CREATE TRIGGER tr_licenses_seat_update AFTER UPDATE OF key_pack_id, seat_held_until ON licenses
        WHEN OLD.key_pack_id IS NOT NEW.key_pack_id OR OLD.seat_held_until IS NOT NEW.seat_held_until
        BEGIN
            UPDATE pack_seat_days SET seats = seats - 1
                WHERE OLD.key_pack_id IS NOT NULL AND OLD.seat_held_until IS NOT NULL
                  AND key_pack_id = OLD.key_pack_id AND day = OLD.seat_held_until / 864000000000;
            INSERT INTO pack_seat_days (key_pack_id, day, seats)
                SELECT NEW.key_pack_id, NEW.seat_held_until / 864000000000, 1
                WHERE NEW.key_pack_id IS NOT NULL AND NEW.seat_held_until IS NOT NULL
                ON CONFLICT (key_pack_id, day) DO UPDATE SET seats = seats + 1;
        END;
        """;

    public static readonly IReadOnlyList<SchemaMigration> Migrations =
    [
        new(1, LicenseSchemaSteps.Identity, $"""
        CREATE TABLE server (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            server_id TEXT NOT NULL,
            signing_key BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            activation_status INTEGER NOT NULL,
            contact_first_name TEXT,
            contact_last_name TEXT,
            contact_company TEXT,
            contact_country TEXT,
            contact_email TEXT,
            activated_at INTEGER,
            deactivated_at INTEGER,
            reactivation_reason TEXT
        );
        CREATE TABLE key_packs (
            key_pack_id TEXT PRIMARY KEY,
            install_key TEXT NOT NULL UNIQUE,
            program INTEGER NOT NULL,
            agreement_type INTEGER,
            reference TEXT NOT NULL,
            version INTEGER NOT NULL,
            cal_type INTEGER NOT NULL,
            installed INTEGER NOT NULL CHECK (installed >= 0),
            installed_at INTEGER NOT NULL
        );
        CREATE TABLE licenses (
            id INTEGER PRIMARY KEY,
            license_id TEXT NOT NULL UNIQUE,
            {LicenseFields}
        );
        {LicenseIndexes}
        CREATE TABLE audit_events (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            occurred_at INTEGER NOT NULL,
            type INTEGER NOT NULL,
            license_id TEXT,
            key_pack_id TEXT,
            cal_type INTEGER,
            version INTEGER,
            subject TEXT,
            session_host_id TEXT,
            reason INTEGER,
            detail TEXT NOT NULL
        );
        CREATE INDEX ix_audit_type ON audit_events (type, sequence);
        """),
        // Seats per key pack and UTC day of seat_held_until, kept by triggers in the same transaction as the licenses,
        // so "occupied seats" sums a few days instead of counting every license of the pack on each request.
        new(2, LicenseSchemaSteps.SeatDays, $"""
        CREATE TABLE pack_seat_days (
            key_pack_id TEXT NOT NULL,
            day INTEGER NOT NULL,
            seats INTEGER NOT NULL,
            PRIMARY KEY (key_pack_id, day)
        ) WITHOUT ROWID;
        INSERT INTO pack_seat_days (key_pack_id, day, seats)
            SELECT key_pack_id, seat_held_until / 864000000000, COUNT(*) FROM licenses
            WHERE key_pack_id IS NOT NULL AND seat_held_until IS NOT NULL
            GROUP BY key_pack_id, seat_held_until / 864000000000;
        {LicenseSeatTriggers}
        CREATE TRIGGER tr_key_packs_seat_days AFTER DELETE ON key_packs
        BEGIN
            DELETE FROM pack_seat_days WHERE key_pack_id = OLD.key_pack_id;
        END;
        """),
        new(3, LicenseSchemaSteps.Webhooks, """
        CREATE TABLE webhook_subscriptions (
            subscription_id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            event_types TEXT NOT NULL,
            secret TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE webhook_deliveries (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            delivery_id TEXT NOT NULL UNIQUE,
            subscription_id TEXT NOT NULL,
            event_type INTEGER NOT NULL,
            body TEXT NOT NULL,
            status INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            last_http_status INTEGER NOT NULL,
            last_error TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            completed_at INTEGER
        );
        CREATE INDEX ix_webhook_deliveries_subscription ON webhook_deliveries (subscription_id, sequence);
        CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries (status) WHERE status = 1;
        """),
        new(4, LicenseSchemaSteps.AlertState, """
        CREATE TABLE alert_state (
            alert_key TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        """),
        // The CALs in license id order on disk (WITHOUT ROWID, license_id the key): a listing walks the table in order
        // instead of the license_id index plus a lookup of each row by rowid, scattered over the file (most of the
        // license server's time in a million-CAL report), and a CAL found by its id takes one search, not two. The
        // surrogate id goes; the subject's CALs are read in license id order (UUIDv7: the order they were issued).
        new(5, LicenseSchemaSteps.KeyedByLicenseId, $"""
        CREATE TABLE licenses_by_id (
            license_id TEXT NOT NULL PRIMARY KEY,
            {LicenseFields}
        ) WITHOUT ROWID;
        INSERT INTO licenses_by_id ({Columns}) SELECT {Columns} FROM licenses ORDER BY license_id;
        DROP TABLE licenses;
        ALTER TABLE licenses_by_id RENAME TO licenses;
        {LicenseIndexes}
        {LicenseSeatTriggers}
        """),
    ];

    public static void Migrate(SqliteConnection connection, DateTimeOffset now)
    {
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
        using var transaction = connection.BeginTransaction(deferred: false);
        var current = connection.ExecuteScalar<long?>("SELECT MAX(version) FROM schema_version", transaction: transaction) ?? 0;
        if (current > Migrations.Count)
        {
            throw new InvalidOperationException(LicenseSchemaSteps.TooNew(current, Migrations.Count));
        }

        foreach (var migration in Migrations.Where(m => m.Version > current))
        {
            connection.Execute(migration.Sql, transaction: transaction);
            connection.Execute("INSERT INTO schema_version (version, applied_at) VALUES (@version, @now)",
                new { version = migration.Version, now = now.UtcTicks }, transaction);
        }

        transaction.Commit();
    }
}
