using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// Reporting's schema, one numbered history on both engines. Version 1 is the schema the SQLite file always had (its
/// statements are idempotent, so files made before versions were recorded step to 1 unchanged). Version 2 stores new
/// reports' entries in pages (<see cref="ReportPages"/>); reports written before it keep their row-per-entry
/// <c>report_entries</c>, which the reads still serve and deletion still removes.
/// </summary>
public static class ReportingSchema
{
    /// <summary>Reporting's connection string name and its name in the PostgreSQL migration history.</summary>
    public const string ConnectionName = "reporting";

    public static readonly IReadOnlyList<SchemaMigration> Sqlite =
    [
        new(1, "reports and their entries", """
            CREATE TABLE IF NOT EXISTS reports (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                report_id TEXT NOT NULL UNIQUE,
                kind INTEGER NOT NULL,
                report BLOB NOT NULL
            );
            CREATE INDEX IF NOT EXISTS reports_by_kind ON reports (kind, seq);
            CREATE TABLE IF NOT EXISTS report_entries (
                report_id TEXT NOT NULL,
                ordinal INTEGER NOT NULL,
                entry BLOB NOT NULL,
                PRIMARY KEY (report_id, ordinal)
            ) WITHOUT ROWID;
            """),
        // A rowid table, not WITHOUT ROWID: its rows are pages of up to 60 KiB, and SQLite advises WITHOUT ROWID only
        // for small rows.
        new(2, "report entries in pages", """
            CREATE TABLE report_pages (
                page_id INTEGER PRIMARY KEY,
                report_id TEXT NOT NULL,
                first_ordinal INTEGER NOT NULL,
                entry_count INTEGER NOT NULL,
                entries BLOB NOT NULL
            );
            CREATE UNIQUE INDEX report_pages_by_report ON report_pages (report_id, first_ordinal);
            """),
    ];

    public static readonly IReadOnlyList<SchemaMigration> Postgres =
    [
        new(1, "reports and their entries", """
            CREATE TABLE reports (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                report_id text NOT NULL UNIQUE,
                kind integer NOT NULL,
                report bytea NOT NULL
            );
            CREATE INDEX reports_by_kind ON reports (kind, seq);
            CREATE TABLE report_entries (
                report_id text NOT NULL,
                ordinal bigint NOT NULL,
                entry bytea NOT NULL,
                PRIMARY KEY (report_id, ordinal)
            );
            """),
        new(2, "report entries in pages", """
            CREATE TABLE report_pages (
                report_id text NOT NULL,
                first_ordinal bigint NOT NULL,
                entry_count integer NOT NULL,
                entries bytea NOT NULL,
                PRIMARY KEY (report_id, first_ordinal)
            );
            """),
    ];

    public static readonly PostgresSchema PostgresSchema = new(ConnectionName, Postgres);
}
