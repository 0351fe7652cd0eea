using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// Row mapping of the license database on both engines (the PostgreSQL schema encodes values as SQLite does): the column
/// lists, rows to records and records to parameters. Enums are stored as their numbers and times as UTC ticks; every
/// value reaches SQL as a bound parameter, never as text.
/// </summary>
internal static class LicenseRows
{
    public const string LicenseColumns =
        "license_id, cal_type, version, subject, status, key_pack_id, issued_at, expires_at, validated, assigned_at, revoked_at, computer_name, user_domain, user_name, session_host_id";

    /// <summary>
    /// The columns of <see cref="ReadListed"/>: the engine turns SQL NULL into '' (text) or -1 (times: no time is before
    /// year 1), so the row is read by ordinal without a null check per column, which cost more than the values themselves.
    /// </summary>
    public const string ListingColumns =
        "license_id, cal_type, version, subject, status, COALESCE(key_pack_id, ''), issued_at, expires_at, validated, COALESCE(assigned_at, -1), " +
        "COALESCE(revoked_at, -1), COALESCE(computer_name, ''), COALESCE(user_domain, ''), COALESCE(user_name, ''), COALESCE(session_host_id, '')";

    public const string AuditColumns = "sequence, occurred_at, type, license_id, key_pack_id, cal_type, version, subject, session_host_id, reason, detail";

    public const string ServerQuery =
        "SELECT server_id, signing_key, created_at, activation_status, contact_first_name, contact_last_name, contact_company, contact_country, contact_email, activated_at, deactivated_at, reactivation_reason FROM server WHERE id = 1";

    public static readonly string[] LicenseParameterNames =
    [
        "license_id", "cal_type", "version", "subject", "status", "key_pack_id", "issued_at", "expires_at", "validated", "assigned_at",
        "revoked_at", "seat_held_until", "computer_name", "user_domain", "user_name", "session_host_id",
    ];

    public static readonly string[] AuditParameterNames =
        ["occurred_at", "type", "license_id", "key_pack_id", "cal_type", "version", "subject", "session_host_id", "reason", "detail"];

    public static LicenseRecord ReadLicense(DbDataReader r)
    {
        var cal = new IssuedCal(
            Guid.Parse(r.GetString(0)),
            (CalType)r.GetInt32(1),
            (ProductVersion)r.GetInt32(2),
            r.GetString(3),
            (CalStatus)r.GetInt32(4),
            r.IsDBNull(5) ? null : Guid.Parse(r.GetString(5)),
            Time(r.GetInt64(6)),
            Time(r.GetInt64(7)),
            r.GetInt64(8) != 0,
            r.IsDBNull(9) ? null : Time(r.GetInt64(9)),
            r.IsDBNull(10) ? null : Time(r.GetInt64(10)));
        return new LicenseRecord(cal, Text(r, 11), Text(r, 12), Text(r, 13), Text(r, 14));
    }

    /// <summary>The stored values of a CAL, in <see cref="LicenseParameterNames"/> order (null for SQL NULL): one encoding for every insert path.</summary>
    public static object?[] LicenseValues(LicenseRecord license)
    {
        var cal = license.Cal;
        return
        [
            cal.LicenseId.ToString(), (int)cal.Type, (int)cal.Version, cal.Subject, (int)cal.Status, cal.KeyPackId?.ToString(),
            cal.IssuedAt.UtcTicks, cal.ExpiresAt.UtcTicks, cal.Validated ? 1 : 0, cal.AssignedAt?.UtcTicks, cal.RevokedAt?.UtcTicks,
            cal.SeatHeldUntil?.UtcTicks, license.ComputerName, license.UserDomain, license.UserName, license.SessionHostId,
        ];
    }

    /// <summary>Sets the values of a command whose parameters were made from <see cref="LicenseParameterNames"/>, in that order.</summary>
    public static void BindLicense(DbParameterCollection p, LicenseRecord license)
    {
        var values = LicenseValues(license);
        for (var i = 0; i < values.Length; i++)
        {
            p[i].Value = values[i] ?? DBNull.Value;
        }
    }

    public static AuditRecord ReadAudit(DbDataReader r) => new(r.GetInt64(0), new AuditEntry(
        Time(r.GetInt64(1)),
        (AuditEventType)r.GetInt32(2),
        r.GetString(10),
        r.IsDBNull(9) ? null : (ReasonCode)r.GetInt32(9),
        r.IsDBNull(3) ? null : Guid.Parse(r.GetString(3)),
        r.IsDBNull(4) ? null : Guid.Parse(r.GetString(4)),
        r.IsDBNull(5) ? null : (CalType)r.GetInt32(5),
        r.IsDBNull(6) ? null : (ProductVersion)r.GetInt32(6),
        Text(r, 7),
        Text(r, 8)));

    /// <summary>The stored values of an audit entry, in <see cref="AuditParameterNames"/> order (null for SQL NULL).</summary>
    public static object?[] AuditValues(AuditEntry entry) =>
    [
        entry.OccurredAt.UtcTicks, (int)entry.Type, entry.LicenseId?.ToString(), entry.KeyPackId?.ToString(), (int?)entry.CalType,
        (int?)entry.Version, entry.Subject, entry.SessionHostId, (int?)entry.Reason, entry.Detail,
    ];

    /// <summary>Sets the values of a command made with <see cref="AuditParameterNames"/>, in that order.</summary>
    public static void BindAudit(DbParameterCollection p, AuditEntry entry)
    {
        var values = AuditValues(entry);
        for (var i = 0; i < values.Length; i++)
        {
            p[i].Value = values[i] ?? DBNull.Value;
        }
    }

    public const string NoIdentity = "The license database has no server identity; the store was not migrated at start-up.";

    public static ServerRecord ReadServer(DbCommand command)
    {
        using var r = command.ExecuteReader();
        return r.Read() ? ReadServer(r) : throw new InvalidOperationException(NoIdentity);
    }

    public static ServerRecord ReadServer(DbDataReader r)
    {
        var status = (ActivationStatus)r.GetInt32(3);
        ActivationContact? contact = r.IsDBNull(4) && r.IsDBNull(6)
            ? null
            : new ActivationContact(Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7), Text(r, 8));
        var activation = new ActivationState(status, contact,
            r.IsDBNull(9) ? null : Time(r.GetInt64(9)),
            r.IsDBNull(10) ? null : Time(r.GetInt64(10)),
            Text(r, 11));
        return new ServerRecord(Guid.Parse(r.GetString(0)), (byte[])r[1], Time(r.GetInt64(2)), activation);
    }

    /// <summary>
    /// The key pack query, optionally one CAL type or one pack. Occupied seats = seats held past the end of today (the
    /// per-day sums of <c>pack_seat_days</c>) + today's seats still held at <paramref name="now"/> (an index range over
    /// today only), so the cost does not grow with the number of CALs a pack has issued.
    /// </summary>
    public static (string Sql, Dictionary<string, object?> Parameters) KeyPackQuery(DateTimeOffset now, CalType? type, Guid? id)
    {
        var sql = new StringBuilder("""
            SELECT p.key_pack_id, p.install_key, p.program, p.agreement_type, p.reference, p.version, p.cal_type, p.installed, p.installed_at,
                   (SELECT COALESCE(SUM(d.seats), 0) FROM pack_seat_days d WHERE d.key_pack_id = p.key_pack_id AND d.day > @today)
                 + (SELECT COUNT(*) FROM licenses l WHERE l.key_pack_id = p.key_pack_id AND l.seat_held_until > @now AND l.seat_held_until < @tomorrow) AS occupied
            FROM key_packs p WHERE 1 = 1
            """);
        var today = now.UtcTicks / TimeSpan.TicksPerDay;
        var parameters = new Dictionary<string, object?> { ["now"] = now.UtcTicks, ["today"] = today, ["tomorrow"] = (today + 1) * TimeSpan.TicksPerDay };
        if (type is not null)
        {
            sql.Append(" AND p.cal_type = @type");
            parameters["type"] = (int)type;
        }

        if (id is not null)
        {
            sql.Append(" AND p.key_pack_id = @id");
            parameters["id"] = id.Value.ToString();
        }

        sql.Append(" ORDER BY p.installed_at, p.key_pack_id");
        return (sql.ToString(), parameters);
    }

    public static List<KeyPackRecord> ReadKeyPacks(DbCommand command)
    {
        using var r = command.ExecuteReader();
        var packs = new List<KeyPackRecord>();
        while (r.Read())
        {
            packs.Add(ReadKeyPack(r));
        }

        return packs;
    }

    /// <summary>A row of <see cref="KeyPackQuery"/>.</summary>
    public static KeyPackRecord ReadKeyPack(DbDataReader r) => new(
        Guid.Parse(r.GetString(0)),
        r.GetString(1),
        (KeyPackProgram)r.GetInt32(2),
        r.IsDBNull(3) ? null : (AgreementType)r.GetInt32(3),
        r.GetString(4),
        (ProductVersion)r.GetInt32(5),
        (CalType)r.GetInt32(6),
        r.GetInt32(7),
        (int)r.GetInt64(9),
        Time(r.GetInt64(8)));

    /// <summary>A new command (the caller disposes it) with <paramref name="parameters"/> bound by name.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyDictionary<string, object?>? parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters ?? new Dictionary<string, object?>())
        {
            command.Parameters.Add(Parameter(command, name, value));
        }

        return command;
    }

    /// <summary>A parameter named as the SQL text names it (<c>@name</c>; Npgsql accepts the prefix too).</summary>
    public static DbParameter Parameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        return parameter;
    }

    public static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    private static string? Text(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    /// <summary>
    /// The rows of the bulk listing from an open ADO.NET reader (PostgreSQL's), each handed to <paramref name="rows"/>; after
    /// every <paramref name="batchSize"/> rows, and after a shorter last batch that had rows, that batch's row count.
    /// </summary>
    public static async IAsyncEnumerable<int> ReadListingAsync(DbDataReader reader, IListingRowSink rows, int batchSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var columns = new DataReaderColumns(reader);
        var count = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new ListingRow<DataReaderColumns>(columns);
            rows.Add(in row);
            if (++count == batchSize)
            {
                yield return count;
                count = 0;
            }
        }

        if (count > 0)
        {
            yield return count;
        }
    }

    /// <summary>
    /// A row of <see cref="ListingColumns"/> from an ADO.NET reader (PostgreSQL's): text read as a string and, when asked
    /// for its bytes, encoded into a scratch buffer of the reader's own.
    /// </summary>
    internal readonly struct DataReaderColumns(DbDataReader reader) : IListingColumns
    {
        private readonly Utf8Scratch _scratch = new();

        public ReadOnlySpan<byte> Utf8(int ordinal) => _scratch.Encode(reader.GetString(ordinal));

        public int Int32(int ordinal) => reader.GetInt32(ordinal);

        public long Int64(int ordinal) => reader.GetInt64(ordinal);
    }

    private sealed class Utf8Scratch
    {
        private byte[] _buffer = new byte[1024];

        public ReadOnlySpan<byte> Encode(string text)
        {
            var needed = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (needed > _buffer.Length)
            {
                _buffer = new byte[Math.Max(needed, _buffer.Length * 2)];
            }

            return _buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, _buffer));
        }
    }
}
