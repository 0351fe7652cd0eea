using System.Data.Common;
using Dapper;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// One write transaction of a group commit, on either engine (the statements are the same SQL on SQLite and PostgreSQL);
/// its frequent commands are the writer connection's prepared statements.
/// </summary>
internal sealed class LicenseWriteSession(PreparedStatements statements, DbTransaction transaction, ServerRecord server) : ILicenseWriteSession
{
    internal const string InsertLicenseSql = """
            INSERT INTO licenses (license_id, cal_type, version, subject, status, key_pack_id, issued_at, expires_at, validated, assigned_at,
                revoked_at, seat_held_until, computer_name, user_domain, user_name, session_host_id)
            VALUES (@license_id, @cal_type, @version, @subject, @status, @key_pack_id, @issued_at, @expires_at, @validated, @assigned_at,
                @revoked_at, @seat_held_until, @computer_name, @user_domain, @user_name, @session_host_id)
            """;

    /// <summary>A seat taken again (renewal, upgrade, re-issue: a changed seat end) is no longer reclaimed.</summary>
    internal const string UpdateLicenseSql = """
            UPDATE licenses SET cal_type = @cal_type, version = @version, subject = @subject, status = @status, key_pack_id = @key_pack_id,
                issued_at = @issued_at, expires_at = @expires_at, validated = @validated, assigned_at = @assigned_at, revoked_at = @revoked_at,
                seat_reclaimed = CASE WHEN seat_held_until IS NOT DISTINCT FROM @seat_held_until THEN seat_reclaimed ELSE 0 END,
                seat_held_until = @seat_held_until, computer_name = @computer_name, user_domain = @user_domain, user_name = @user_name,
                session_host_id = @session_host_id
            WHERE license_id = @license_id
            """;

    internal const string AppendSql = """
            INSERT INTO audit_events (occurred_at, type, license_id, key_pack_id, cal_type, version, subject, session_host_id, reason, detail)
            VALUES (@occurred_at, @type, @license_id, @key_pack_id, @cal_type, @version, @subject, @session_host_id, @reason, @detail)
            """;

    private readonly DbConnection _connection = statements.Connection;

    public ServerRecord Server { get; private set; } = server;

    private readonly List<Action> _afterCommit = [];

    public void AfterCommit(Action action) => _afterCommit.Add(action);

    /// <summary>How many after-commit actions are queued (a savepoint restores to this count).</summary>
    internal int AfterCommitCount => _afterCommit.Count;

    /// <summary>Back to the state before a write whose savepoint was rolled back.</summary>
    internal void Restore(ServerRecord server, int afterCommitCount)
    {
        Server = server;
        _afterCommit.RemoveRange(afterCommitCount, _afterCommit.Count - afterCommitCount);
    }

    /// <summary>Runs the actions of the writes that were committed.</summary>
    internal void Committed()
    {
        foreach (var action in _afterCommit)
        {
            action();
        }
    }

    public void SaveActivation(ActivationState state)
    {
        _connection.Execute("""
            UPDATE server SET activation_status = @status, contact_first_name = @first, contact_last_name = @last, contact_company = @company,
                contact_country = @country, contact_email = @email, activated_at = @activated, deactivated_at = @deactivated, reactivation_reason = @reason
            WHERE id = 1
            """,
            new
            {
                status = (int)state.Status,
                first = state.Contact?.FirstName,
                last = state.Contact?.LastName,
                company = state.Contact?.Company,
                country = state.Contact?.Country,
                email = state.Contact?.Email,
                activated = state.ActivatedAt?.UtcTicks,
                deactivated = state.DeactivatedAt?.UtcTicks,
                reason = state.LastReactivationReason,
            },
            transaction);
        Server = Server with { Activation = state };
    }

    public IReadOnlyList<KeyPackSnapshot> LoadPackSnapshots(CalType type, DateTimeOffset now) =>
        ReadKeyPacks(now, type, null).ConvertAll(p => p.ToSnapshot());

    public KeyPackRecord? FindKeyPack(Guid id, DateTimeOffset now) => ReadKeyPacks(now, null, id).SingleOrDefault();

    private List<KeyPackRecord> ReadKeyPacks(DateTimeOffset now, CalType? type, Guid? id)
    {
        var (sql, parameters) = LicenseRows.KeyPackQuery(now, type, id);
        return LicenseRows.ReadKeyPacks(statements.Get(sql, transaction, parameters));
    }

    public Guid? FindKeyPackByInstallKey(string installKey) =>
        _connection.ExecuteScalar<string?>("SELECT key_pack_id FROM key_packs WHERE install_key = @installKey", new { installKey }, transaction) is { } id
            ? Guid.Parse(id)
            : null;

    public void InsertKeyPack(KeyPackRecord pack) =>
        _connection.Execute("""
            INSERT INTO key_packs (key_pack_id, install_key, program, agreement_type, reference, version, cal_type, installed, installed_at)
            VALUES (@id, @installKey, @program, @agreement, @reference, @version, @calType, @installed, @installedAt)
            """,
            new
            {
                id = pack.Id.ToString(),
                installKey = pack.InstallKey,
                program = (int)pack.Program,
                agreement = (int?)pack.AgreementType,
                reference = pack.Reference,
                version = (int)pack.Version,
                calType = (int)pack.CalType,
                installed = pack.Installed,
                installedAt = pack.InstalledAt.UtcTicks,
            },
            transaction);

    public void UpdateKeyPackInstalled(Guid id, int installed) =>
        _connection.Execute("UPDATE key_packs SET installed = @installed WHERE key_pack_id = @id", new { id = id.ToString(), installed }, transaction);

    public void DeleteKeyPack(Guid id) =>
        _connection.Execute("DELETE FROM key_packs WHERE key_pack_id = @id", new { id = id.ToString() }, transaction);

    /// <summary>
    /// A subject's CALs of one type, found through ix_licenses_subject. The type is compared as <c>cal_type + 0</c>, which
    /// no index matches: on statistics gathered while the type was rare PostgreSQL otherwise took ix_licenses_version_status
    /// and filtered every CAL of the type (<see cref="PostgresGroupSession.ScopedLicenses"/>); a subject has a few CALs.
    /// </summary>
    internal const string SubjectLicensesQuery =
        $"SELECT {LicenseRows.LicenseColumns} FROM licenses WHERE subject = @subject AND cal_type + 0 = @type ORDER BY license_id";

    public IReadOnlyList<LicenseRecord> LoadSubjectLicenses(CalType type, string subject) =>
        ReadLicenses(SubjectLicensesQuery,
            new Dictionary<string, object?> { ["subject"] = subject, ["type"] = (int)type });

    public LicenseRecord? FindLicense(Guid id) =>
        ReadLicenses($"SELECT {LicenseRows.LicenseColumns} FROM licenses WHERE license_id = @id",
            new Dictionary<string, object?> { ["id"] = id.ToString() }).SingleOrDefault();

    public void InsertLicense(LicenseRecord license)
    {
        var command = WithParameters(InsertLicenseSql, LicenseRows.LicenseParameterNames);
        LicenseRows.BindLicense(command.Parameters, license);
        command.ExecuteNonQuery();
    }

    public void UpdateLicense(LicenseRecord license)
    {
        var command = WithParameters(UpdateLicenseSql, LicenseRows.LicenseParameterNames);
        LicenseRows.BindLicense(command.Parameters, license);
        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"License {license.Cal.LicenseId} was not found to update.");
        }
    }

    public RevocationSnapshot LoadRevocationSnapshot(ProductVersion version, DateTimeOffset now)
    {
        var installed = _connection.ExecuteScalar<long>(
            "SELECT COALESCE(SUM(installed), 0) FROM key_packs WHERE cal_type = @type AND version = @version",
            new { type = (int)CalType.PerDevice, version = (int)version }, transaction);
        var expiries = _connection.Query<long>(
            "SELECT expires_at FROM licenses WHERE cal_type = @type AND version = @version AND status = @revoked AND expires_at > @now",
            new { type = (int)CalType.PerDevice, version = (int)version, revoked = (int)CalStatus.Revoked, now = now.UtcTicks }, transaction)
            .Select(LicenseRows.Time)
            .ToList();
        return new RevocationSnapshot((int)Math.Min(installed, int.MaxValue), expiries);
    }

    public IReadOnlyList<LicenseRecord> ReclaimExpiredSeats(DateTimeOffset now, int max)
    {
        var expired = ReadLicenses(ReclaimQuery, ReclaimParameters(now, max));
        foreach (var license in expired)
        {
            statements.Get("UPDATE licenses SET seat_reclaimed = 1 WHERE license_id = @id", transaction,
                new Dictionary<string, object?> { ["id"] = license.Cal.LicenseId.ToString() }).ExecuteNonQuery();
        }

        return expired;
    }

    /// <summary>
    /// Seats held by a pack (Permanent, Active) whose end passed and were not reclaimed yet. The one query whose statuses
    /// are SQL text, written from the enum: SQLite uses the partial index ix_licenses_reclaim (<c>status IN (2, 6)</c>,
    /// schema version 1) only when the query repeats that IN list literally; it never matches bound parameters inside an
    /// IN list, and without the index every write would scan all licenses. PostgreSQL's generic plans need it literal too.
    /// </summary>
    internal static readonly string ReclaimQuery =
        $"SELECT {LicenseRows.LicenseColumns} FROM licenses WHERE seat_reclaimed = 0 AND status IN ({(int)CalStatus.Permanent}, {(int)CalStatus.Active}) AND seat_held_until <= @now ORDER BY seat_held_until LIMIT @max";

    internal static Dictionary<string, object?> ReclaimParameters(DateTimeOffset now, int max) => new()
    {
        ["now"] = now.UtcTicks,
        ["max"] = max,
    };

    public void Append(AuditEntry entry)
    {
        var command = WithParameters(AppendSql, LicenseRows.AuditParameterNames);
        LicenseRows.BindAudit(command.Parameters, entry);
        command.ExecuteNonQuery();
    }

    public T InTransaction<T>(Func<DbConnection, DbTransaction, T> work) => work(_connection, transaction);

    /// <summary>The prepared command for <paramref name="sql"/>, its named parameters created the first time (values are set by the caller).</summary>
    private DbCommand WithParameters(string sql, string[] names)
    {
        var command = statements.Get(sql, transaction);
        if (command.Parameters.Count == 0)
        {
            foreach (var name in names)
            {
                command.Parameters.Add(LicenseRows.Parameter(command, name, null));
            }
        }

        return command;
    }

    private List<LicenseRecord> ReadLicenses(string sql, IReadOnlyDictionary<string, object?> parameters)
    {
        using var reader = statements.Get(sql, transaction, parameters).ExecuteReader();
        var licenses = new List<LicenseRecord>();
        while (reader.Read())
        {
            licenses.Add(LicenseRows.ReadLicense(reader));
        }

        return licenses;
    }
}
