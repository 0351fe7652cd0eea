using Dapper;
using Microsoft.Data.Sqlite;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>One write transaction of <see cref="SqliteLicenseStore"/>; its frequent commands are the writer connection's prepared statements.</summary>
internal sealed class SqliteWriteSession(PreparedStatements statements, SqliteTransaction transaction, ServerRecord server) : ILicenseWriteSession
{
    private readonly SqliteConnection _connection = statements.Connection;

    public ServerRecord Server { get; private set; } = server;

    public bool SeatsReclaimed { get; set; }

    private readonly List<Action> _afterCommit = [];

    public void AfterCommit(Action action) => _afterCommit.Add(action);

    /// <summary>How many after-commit actions are queued (a savepoint restores to this count).</summary>
    internal int AfterCommitCount => _afterCommit.Count;

    /// <summary>Back to the state before a write whose savepoint was rolled back.</summary>
    internal void Restore(ServerRecord server, bool seatsReclaimed, int afterCommitCount)
    {
        Server = server;
        SeatsReclaimed = seatsReclaimed;
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
        var (sql, parameters) = SqliteLicenseStore.KeyPackQuery(now, type, id);
        return SqliteLicenseStore.ReadKeyPacks(statements.Get(sql, transaction, parameters));
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

    public IReadOnlyList<LicenseRecord> LoadSubjectLicenses(CalType type, string subject) =>
        ReadLicenses($"SELECT {SqliteLicenseStore.LicenseColumns} FROM licenses WHERE subject = @subject AND cal_type = @type ORDER BY id",
            new Dictionary<string, object?> { ["subject"] = subject, ["type"] = (int)type });

    public LicenseRecord? FindLicense(Guid id) =>
        ReadLicenses($"SELECT {SqliteLicenseStore.LicenseColumns} FROM licenses WHERE license_id = @id",
            new Dictionary<string, object?> { ["id"] = id.ToString() }).SingleOrDefault();

    public void InsertLicense(LicenseRecord license)
    {
        var command = WithParameters("""
            INSERT INTO licenses (license_id, cal_type, version, subject, status, key_pack_id, issued_at, expires_at, validated, assigned_at,
                revoked_at, seat_held_until, computer_name, user_domain, user_name, session_host_id)
            VALUES (@license_id, @cal_type, @version, @subject, @status, @key_pack_id, @issued_at, @expires_at, @validated, @assigned_at,
                @revoked_at, @seat_held_until, @computer_name, @user_domain, @user_name, @session_host_id)
            """, LicenseParameterNames);
        Bind(command, license);
        command.ExecuteNonQuery();
    }

    public void UpdateLicense(LicenseRecord license)
    {
        // A seat taken again (renewal, upgrade, re-issue) is no longer reclaimed.
        var command = WithParameters("""
            UPDATE licenses SET cal_type = @cal_type, version = @version, subject = @subject, status = @status, key_pack_id = @key_pack_id,
                issued_at = @issued_at, expires_at = @expires_at, validated = @validated, assigned_at = @assigned_at, revoked_at = @revoked_at,
                seat_reclaimed = CASE WHEN seat_held_until IS @seat_held_until THEN seat_reclaimed ELSE 0 END,
                seat_held_until = @seat_held_until, computer_name = @computer_name, user_domain = @user_domain, user_name = @user_name,
                session_host_id = @session_host_id
            WHERE license_id = @license_id
            """, LicenseParameterNames);
        Bind(command, license);
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
            .Select(SqliteLicenseStore.Time)
            .ToList();
        return new RevocationSnapshot((int)Math.Min(installed, int.MaxValue), expiries);
    }

    public IReadOnlyList<LicenseRecord> ReclaimExpiredSeats(DateTimeOffset now, int max)
    {
        var expired = ReadLicenses(
            $"SELECT {SqliteLicenseStore.LicenseColumns} FROM licenses WHERE seat_reclaimed = 0 AND status IN (2, 6) AND seat_held_until <= @now ORDER BY seat_held_until LIMIT {max}",
            new Dictionary<string, object?> { ["now"] = now.UtcTicks });
        foreach (var license in expired)
        {
            statements.Get("UPDATE licenses SET seat_reclaimed = 1 WHERE license_id = @id", transaction,
                new Dictionary<string, object?> { ["id"] = license.Cal.LicenseId.ToString() }).ExecuteNonQuery();
        }

        return expired;
    }

    public void Append(AuditEntry entry)
    {
        var command = WithParameters("""
            INSERT INTO audit_events (occurred_at, type, license_id, key_pack_id, cal_type, version, subject, session_host_id, reason, detail)
            VALUES (@occurred_at, @type, @license_id, @key_pack_id, @cal_type, @version, @subject, @session_host_id, @reason, @detail)
            """, AuditParameterNames);
        var p = command.Parameters;
        p["@occurred_at"].Value = entry.OccurredAt.UtcTicks;
        p["@type"].Value = (int)entry.Type;
        p["@license_id"].Value = (object?)entry.LicenseId?.ToString() ?? DBNull.Value;
        p["@key_pack_id"].Value = (object?)entry.KeyPackId?.ToString() ?? DBNull.Value;
        p["@cal_type"].Value = (object?)(int?)entry.CalType ?? DBNull.Value;
        p["@version"].Value = (object?)(int?)entry.Version ?? DBNull.Value;
        p["@subject"].Value = (object?)entry.Subject ?? DBNull.Value;
        p["@session_host_id"].Value = (object?)entry.SessionHostId ?? DBNull.Value;
        p["@reason"].Value = (object?)(int?)entry.Reason ?? DBNull.Value;
        p["@detail"].Value = entry.Detail;
        command.ExecuteNonQuery();
    }

    /// <summary>The prepared command for <paramref name="sql"/>, its named parameters created the first time (values are set by the caller).</summary>
    private SqliteCommand WithParameters(string sql, string[] names)
    {
        var command = statements.Get(sql, transaction);
        if (command.Parameters.Count == 0)
        {
            foreach (var name in names)
            {
                command.Parameters.Add(new SqliteParameter("@" + name, null));
            }
        }

        return command;
    }

    private static readonly string[] AuditParameterNames =
        ["occurred_at", "type", "license_id", "key_pack_id", "cal_type", "version", "subject", "session_host_id", "reason", "detail"];

    private static readonly string[] LicenseParameterNames =
    [
        "license_id", "cal_type", "version", "subject", "status", "key_pack_id", "issued_at", "expires_at", "validated", "assigned_at",
        "revoked_at", "seat_held_until", "computer_name", "user_domain", "user_name", "session_host_id",
    ];

    private static void Bind(SqliteCommand command, LicenseRecord license)
    {
        var cal = license.Cal;
        var p = command.Parameters;
        p["@license_id"].Value = cal.LicenseId.ToString();
        p["@cal_type"].Value = (int)cal.Type;
        p["@version"].Value = (int)cal.Version;
        p["@subject"].Value = cal.Subject;
        p["@status"].Value = (int)cal.Status;
        p["@key_pack_id"].Value = (object?)cal.KeyPackId?.ToString() ?? DBNull.Value;
        p["@issued_at"].Value = cal.IssuedAt.UtcTicks;
        p["@expires_at"].Value = cal.ExpiresAt.UtcTicks;
        p["@validated"].Value = cal.Validated ? 1 : 0;
        p["@assigned_at"].Value = (object?)cal.AssignedAt?.UtcTicks ?? DBNull.Value;
        p["@revoked_at"].Value = (object?)cal.RevokedAt?.UtcTicks ?? DBNull.Value;
        p["@seat_held_until"].Value = (object?)cal.SeatHeldUntil?.UtcTicks ?? DBNull.Value;
        p["@computer_name"].Value = (object?)license.ComputerName ?? DBNull.Value;
        p["@user_domain"].Value = (object?)license.UserDomain ?? DBNull.Value;
        p["@user_name"].Value = (object?)license.UserName ?? DBNull.Value;
        p["@session_host_id"].Value = (object?)license.SessionHostId ?? DBNull.Value;
    }

    private List<LicenseRecord> ReadLicenses(string sql, IReadOnlyDictionary<string, object?> parameters)
    {
        using var reader = statements.Get(sql, transaction, parameters).ExecuteReader();
        var licenses = new List<LicenseRecord>();
        while (reader.Read())
        {
            licenses.Add(SqliteLicenseStore.ReadLicense(reader));
        }

        return licenses;
    }
}
