using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.SessionHost.Hosts;

/// <summary>
/// The gateway's schema, one numbered history on both engines. Version 1 is the schema the SQLite file always had
/// (its statements are idempotent, so files made before versions were recorded step to 1 unchanged).
/// </summary>
public static class GatewaySchema
{
    /// <summary>The gateway's connection string name and its name in the PostgreSQL migration history.</summary>
    public const string ConnectionName = "gateway";

    public static readonly IReadOnlyList<SchemaMigration> Sqlite =
    [
        new(1, "session hosts, license server keys, not-tracked sign-ins", """
            CREATE TABLE IF NOT EXISTS session_hosts (
                host_id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
                version INTEGER NOT NULL,
                mode INTEGER NOT NULL,
                license_servers TEXT NOT NULL,
                prevent_upgrade INTEGER NOT NULL,
                grace_started_at INTEGER NOT NULL,
                configured_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS license_server_keys (
                address TEXT NOT NULL PRIMARY KEY,
                server_id TEXT NOT NULL,
                public_key BLOB NOT NULL,
                version INTEGER NOT NULL,
                scope INTEGER NOT NULL,
                seen_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS not_tracked_sign_ins (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                host_id TEXT NOT NULL,
                user_domain TEXT NOT NULL,
                user_name TEXT NOT NULL,
                hardware_id TEXT NOT NULL,
                computer_name TEXT NOT NULL,
                queued_at INTEGER NOT NULL);
            """),
        // The alerts table was created by the alert outbox itself before it was a step: IF NOT EXISTS keeps those files.
        new(2, "gateway alerts", """
            CREATE TABLE IF NOT EXISTS gateway_alerts (
                alert_id TEXT NOT NULL PRIMARY KEY,
                host_id TEXT NOT NULL COLLATE NOCASE,
                grace_started_at INTEGER NOT NULL,
                days_left INTEGER NOT NULL,
                grace_ends_at INTEGER NOT NULL,
                raised_at INTEGER NOT NULL,
                delivered_at INTEGER,
                UNIQUE (host_id, grace_started_at));
            """),
    ];

    /// <summary>
    /// The same tables on PostgreSQL. Host ids are matched without regard to case as SQLite's NOCASE does (they are
    /// ASCII by the input rules): <c>host_key</c> is the lower-cased id, compared bytewise (<c>COLLATE "C"</c>) so paging
    /// order is SQLite's.
    /// </summary>
    public static readonly IReadOnlyList<SchemaMigration> Postgres =
    [
        new(1, "session hosts, license server keys, not-tracked sign-ins", """
            CREATE TABLE session_hosts (
                host_key text COLLATE "C" NOT NULL PRIMARY KEY,
                host_id text NOT NULL,
                version integer NOT NULL,
                mode integer NOT NULL,
                license_servers text NOT NULL,
                prevent_upgrade boolean NOT NULL,
                grace_started_at bigint NOT NULL,
                configured_at bigint NOT NULL);
            CREATE TABLE license_server_keys (
                address text NOT NULL PRIMARY KEY,
                server_id text NOT NULL,
                public_key bytea NOT NULL,
                version integer NOT NULL,
                scope integer NOT NULL,
                seen_at bigint NOT NULL);
            CREATE TABLE not_tracked_sign_ins (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                host_id text NOT NULL,
                user_domain text NOT NULL,
                user_name text NOT NULL,
                hardware_id text NOT NULL,
                computer_name text NOT NULL,
                queued_at bigint NOT NULL);
            """),
        new(2, "gateway alerts", """
            CREATE TABLE gateway_alerts (
                alert_id uuid NOT NULL PRIMARY KEY,
                host_key text COLLATE "C" NOT NULL,
                host_id text NOT NULL,
                grace_started_at bigint NOT NULL,
                days_left integer NOT NULL,
                grace_ends_at bigint NOT NULL,
                raised_at bigint NOT NULL,
                delivered_at bigint,
                UNIQUE (host_key, grace_started_at));
            CREATE INDEX gateway_alerts_undelivered ON gateway_alerts (raised_at, alert_id) WHERE delivered_at IS NULL;
            """),
    ];

    public static readonly PostgresSchema PostgresSchema = new(ConnectionName, Postgres);
}
