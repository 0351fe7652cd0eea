using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The license database's numbered history on PostgreSQL: the versions, descriptions, tables and column names of
/// <see cref="SqliteSchema"/>, so the stores share their SQL where the dialects agree. Values are encoded as on SQLite
/// (enums as integers, times as UTC ticks in bigint, ids as text); ids and subjects compare bytewise (<c>COLLATE "C"</c>)
/// as SQLite's BINARY does, so keyset order is the same on both engines. Applied by <see cref="PostgresDatabase"/> under
/// its advisory lock, each step once however many replicas start together.
/// </summary>
public static class PostgresLicenseSchema
{
    public static readonly IReadOnlyList<SchemaMigration> Migrations =
    [
        new(1, LicenseSchemaSteps.Identity, """
            CREATE TABLE server (
                id integer PRIMARY KEY CHECK (id = 1),
                server_id text NOT NULL,
                signing_key bytea NOT NULL,
                created_at bigint NOT NULL,
                activation_status integer NOT NULL,
                contact_first_name text,
                contact_last_name text,
                contact_company text,
                contact_country text,
                contact_email text,
                activated_at bigint,
                deactivated_at bigint,
                reactivation_reason text);
            CREATE TABLE key_packs (
                key_pack_id text COLLATE "C" PRIMARY KEY,
                install_key text COLLATE "C" NOT NULL UNIQUE,
                program integer NOT NULL,
                agreement_type integer,
                reference text NOT NULL,
                version integer NOT NULL,
                cal_type integer NOT NULL,
                installed integer NOT NULL CHECK (installed >= 0),
                installed_at bigint NOT NULL);
            CREATE TABLE licenses (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                license_id text COLLATE "C" NOT NULL UNIQUE,
                cal_type integer NOT NULL,
                version integer NOT NULL,
                subject text COLLATE "C" NOT NULL,
                status integer NOT NULL,
                key_pack_id text COLLATE "C",
                issued_at bigint NOT NULL,
                expires_at bigint NOT NULL,
                validated integer NOT NULL,
                assigned_at bigint,
                revoked_at bigint,
                seat_held_until bigint,
                seat_reclaimed integer NOT NULL DEFAULT 0,
                computer_name text,
                user_domain text,
                user_name text,
                session_host_id text);
            CREATE INDEX ix_licenses_subject ON licenses (subject, cal_type);
            CREATE INDEX ix_licenses_seats ON licenses (key_pack_id, seat_held_until) WHERE key_pack_id IS NOT NULL;
            CREATE INDEX ix_licenses_version_status ON licenses (cal_type, version, status, expires_at);
            CREATE INDEX ix_licenses_reclaim ON licenses (seat_held_until) WHERE seat_reclaimed = 0 AND status IN (2, 6);
            CREATE INDEX ix_licenses_overused ON licenses (expires_at) WHERE status = 5;
            CREATE TABLE audit_events (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                occurred_at bigint NOT NULL,
                type integer NOT NULL,
                license_id text COLLATE "C",
                key_pack_id text COLLATE "C",
                cal_type integer,
                version integer,
                subject text,
                session_host_id text,
                reason integer,
                detail text NOT NULL);
            CREATE INDEX ix_audit_type ON audit_events (type, sequence);
            """),
        // As on SQLite, triggers keep the per-day seat sums in the licenses' own transaction. Inserts are counted per
        // statement from the transition table, so a binary COPY of a million seeded CALs adds a few sums, not a million upserts.
        new(2, LicenseSchemaSteps.SeatDays, """
            CREATE TABLE pack_seat_days (
                key_pack_id text COLLATE "C" NOT NULL,
                day bigint NOT NULL,
                seats integer NOT NULL,
                PRIMARY KEY (key_pack_id, day));
            INSERT INTO pack_seat_days (key_pack_id, day, seats)
                SELECT key_pack_id, seat_held_until / 864000000000, COUNT(*) FROM licenses
                WHERE key_pack_id IS NOT NULL AND seat_held_until IS NOT NULL
                GROUP BY key_pack_id, seat_held_until / 864000000000;
            CREATE FUNCTION licenses_seat_days_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO pack_seat_days (key_pack_id, day, seats)
                    SELECT key_pack_id, seat_held_until / 864000000000, COUNT(*) FROM inserted_licenses
                    WHERE key_pack_id IS NOT NULL AND seat_held_until IS NOT NULL
                    GROUP BY key_pack_id, seat_held_until / 864000000000
                    ON CONFLICT (key_pack_id, day) DO UPDATE SET seats = pack_seat_days.seats + excluded.seats;
                RETURN NULL;
            END $$;
            CREATE TRIGGER tr_licenses_seat_insert AFTER INSERT ON licenses
                REFERENCING NEW TABLE AS inserted_licenses FOR EACH STATEMENT EXECUTE FUNCTION licenses_seat_days_inserted();
            CREATE FUNCTION licenses_seat_days_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE pack_seat_days d SET seats = d.seats - gone.seats
                FROM (SELECT key_pack_id, seat_held_until / 864000000000 AS day, COUNT(*) AS seats FROM deleted_licenses
                      WHERE key_pack_id IS NOT NULL AND seat_held_until IS NOT NULL
                      GROUP BY key_pack_id, seat_held_until / 864000000000) gone
                WHERE d.key_pack_id = gone.key_pack_id AND d.day = gone.day;
                RETURN NULL;
            END $$;
            CREATE TRIGGER tr_licenses_seat_delete AFTER DELETE ON licenses
                REFERENCING OLD TABLE AS deleted_licenses FOR EACH STATEMENT EXECUTE FUNCTION licenses_seat_days_deleted();
            CREATE FUNCTION licenses_seat_days_moved() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF OLD.key_pack_id IS NOT NULL AND OLD.seat_held_until IS NOT NULL THEN
                    UPDATE pack_seat_days SET seats = seats - 1
                    WHERE key_pack_id = OLD.key_pack_id AND day = OLD.seat_held_until / 864000000000;
                END IF;
                IF NEW.key_pack_id IS NOT NULL AND NEW.seat_held_until IS NOT NULL THEN
                    INSERT INTO pack_seat_days (key_pack_id, day, seats) VALUES (NEW.key_pack_id, NEW.seat_held_until / 864000000000, 1)
                    ON CONFLICT (key_pack_id, day) DO UPDATE SET seats = pack_seat_days.seats + 1;
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER tr_licenses_seat_update AFTER UPDATE OF key_pack_id, seat_held_until ON licenses FOR EACH ROW
                WHEN (OLD.key_pack_id IS DISTINCT FROM NEW.key_pack_id OR OLD.seat_held_until IS DISTINCT FROM NEW.seat_held_until)
                EXECUTE FUNCTION licenses_seat_days_moved();
            CREATE FUNCTION key_packs_seat_days_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM pack_seat_days WHERE key_pack_id = OLD.key_pack_id;
                RETURN NULL;
            END $$;
            CREATE TRIGGER tr_key_packs_seat_days AFTER DELETE ON key_packs FOR EACH ROW EXECUTE FUNCTION key_packs_seat_days_deleted();
            """),
        new(3, LicenseSchemaSteps.Webhooks, """
            CREATE TABLE webhook_subscriptions (
                subscription_id text COLLATE "C" PRIMARY KEY,
                url text NOT NULL,
                event_types text NOT NULL,
                secret text NOT NULL,
                created_at bigint NOT NULL);
            CREATE TABLE webhook_deliveries (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                delivery_id text COLLATE "C" NOT NULL UNIQUE,
                subscription_id text COLLATE "C" NOT NULL,
                event_type integer NOT NULL,
                body text NOT NULL,
                status integer NOT NULL,
                attempts integer NOT NULL,
                last_http_status integer NOT NULL,
                last_error text NOT NULL,
                created_at bigint NOT NULL,
                completed_at bigint);
            CREATE INDEX ix_webhook_deliveries_subscription ON webhook_deliveries (subscription_id, sequence);
            CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries (status) WHERE status = 1;
            """),
        new(4, LicenseSchemaSteps.AlertState, """
            CREATE TABLE alert_state (
                alert_key text COLLATE "C" PRIMARY KEY,
                state text NOT NULL,
                updated_at bigint NOT NULL);
            """),
        // The surrogate id goes (one index fewer to write per CAL) and license_id, already unique, becomes the key; the
        // subject's CALs are read in license id order (UUIDv7: the order they were issued). SQLite's step 5 also
        // stores the rows in that order; a PostgreSQL heap keeps them where they were written.
        new(5, LicenseSchemaSteps.KeyedByLicenseId, """
            ALTER TABLE licenses DROP COLUMN id;
            ALTER TABLE licenses DROP CONSTRAINT licenses_license_id_key;
            ALTER TABLE licenses ADD CONSTRAINT licenses_pkey PRIMARY KEY (license_id);
            """),
    ];

    public static readonly PostgresSchema Schema = new(LicenseSchemaSteps.ConnectionName, Migrations);
}
