using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// A PostgreSQL write group whose writes all declared their scope (issuance): the write lock, the server row and every
/// scope's CALs and packs are one round trip at the start (<see cref="Begin"/>), the decisions read them from a
/// <see cref="GroupSnapshot"/>, and the group's inserts and updates are held back and sent as one batch with the
/// commit: two round trips for a group of issuances (and one a second for the reclaim) instead of about five for each write.
/// Anything the snapshot does not answer goes to the database, after the changes held back so far
/// (<see cref="LicenseWriteSession"/>), so every read sees the group's earlier writes as on the one-write-at-a-time path.
/// </summary>
internal sealed class PostgresGroupSession : IGroupWriteSession
{
    private const NpgsqlDbType Text = NpgsqlDbType.Text, Integer = NpgsqlDbType.Integer, Bigint = NpgsqlDbType.Bigint;

    /// <summary>
    /// The group's subjects' CALs of one type: one probe of ix_licenses_subject per subject, whatever the statistics say.
    /// Written as <c>subject = ANY(@subjects) AND cal_type = @type</c>, the planner took ix_licenses_version_status on
    /// statistics gathered while the type was rare (a young database, analysed by autovacuum after its first hundred CALs)
    /// and filtered every CAL of the type for each group: 1 ms a group and growing with the table, the largest share of
    /// the database's time under RequestLicense (pg_stat_statements and auto_explain under loadtest/engines.sh). Here
    /// each subject is looked up alone, by subject only (the lateral subquery is fenced by OFFSET 0, so neither the type
    /// condition is pushed into it nor is it flattened into a join), and a subject's few CALs are filtered by type after.
    /// </summary>
    internal const string ScopedLicenses = $"""
        SELECT l.* FROM unnest(@subjects) AS s(subject)
        CROSS JOIN LATERAL (SELECT {LicenseRows.LicenseColumns} FROM licenses WHERE subject = s.subject OFFSET 0) AS l
        WHERE l.cal_type = @type
        ORDER BY l.license_id
        """;

    /// <summary>The seats of a type's packs ending within the group's span (an index range per pack on ix_licenses_seats).</summary>
    private const string EndingSeats = """
        SELECT key_pack_id, seat_held_until FROM licenses
        WHERE key_pack_id = ANY(ARRAY(SELECT key_pack_id FROM key_packs WHERE cal_type = @type))
          AND seat_held_until > @from AND seat_held_until <= @to
        """;

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly LicenseWriteSession _direct;
    private readonly GroupSnapshot _snapshot;
    private readonly PostgresRowBatch _licenses = new("licenses", LicenseRows.LicenseParameterNames,
        [Text, Integer, Integer, Text, Integer, Text, Bigint, Bigint, Integer, Bigint, Bigint, Bigint, Text, Text, Text, Text]);
    private readonly PostgresRowBatch _audits = new("audit_events", LicenseRows.AuditParameterNames,
        [Bigint, Integer, Text, Text, Integer, Integer, Text, Text, Integer, Text]);
    private readonly List<(NpgsqlBatchCommand Command, Guid LicenseId)> _updates = [];

    private PostgresGroupSession(NpgsqlTransaction transaction, LicenseWriteSession direct, GroupSnapshot snapshot)
    {
        _connection = transaction.Connection!;
        _transaction = transaction;
        _direct = direct;
        _snapshot = snapshot;
    }

    public DbTransaction Transaction => _transaction;

    public ServerRecord Server => _direct.Server;

    /// <summary>Begins the group's transaction: the write lock, then the server row and the scopes' reads in the same round trip.</summary>
    public static PostgresGroupSession Begin(PreparedStatements statements, IReadOnlyList<WriteScope> scopes, long writeLockKey)
    {
        var connection = (NpgsqlConnection)statements.Connection;
        var transaction = connection.BeginTransaction();
        try
        {
            var (from, to) = GroupSnapshot.Span(scopes);
            var types = scopes.Select(s => s.Type).Distinct().ToList();
            using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(Command("SELECT pg_advisory_xact_lock(@key)", ("key", writeLockKey)));
            batch.BatchCommands.Add(Command(LicenseRows.ServerQuery));
            foreach (var type in types)
            {
                var subjects = scopes.Where(s => s.Type == type).Select(s => s.Subject).Distinct(StringComparer.Ordinal).ToArray();
                var (packs, parameters) = LicenseRows.KeyPackQuery(from, type, null);
                batch.BatchCommands.Add(Command(ScopedLicenses, ("type", (int)type), ("subjects", subjects)));
                batch.BatchCommands.Add(Command(packs, [.. parameters.Select(p => (p.Key, p.Value!))]));
                batch.BatchCommands.Add(Command(EndingSeats, ("type", (int)type), ("from", from.UtcTicks), ("to", to.UtcTicks)));
            }

            using var reader = batch.ExecuteReader();
            reader.NextResult();
            var server = reader.Read() ? LicenseRows.ReadServer(reader) : throw new InvalidOperationException(LicenseRows.NoIdentity);
            var snapshot = ReadScopes(reader, types, scopes, from, to);
            return new PostgresGroupSession(transaction, new LicenseWriteSession(statements, transaction, server), snapshot);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    public void AfterCommit(Action action) => _direct.AfterCommit(action);

    public void Committed() => _direct.Committed();

    public IReadOnlyList<LicenseRecord> LoadSubjectLicenses(CalType type, string subject) =>
        _snapshot.SubjectLicenses(type, subject) ?? Direct().LoadSubjectLicenses(type, subject);

    public IReadOnlyList<KeyPackSnapshot> LoadPackSnapshots(CalType type, DateTimeOffset now) =>
        _snapshot.Packs(type, now)?.ConvertAll(p => p.ToSnapshot()) ?? Direct().LoadPackSnapshots(type, now);

    public KeyPackRecord? FindKeyPack(Guid id, DateTimeOffset now) => _snapshot.Pack(id, now) ?? Direct().FindKeyPack(id, now);

    public void InsertLicense(LicenseRecord license)
    {
        _licenses.Add(LicenseRows.LicenseValues(license));
        _snapshot.Inserted(license);
    }

    public void UpdateLicense(LicenseRecord license)
    {
        var values = LicenseRows.LicenseValues(license);
        var update = Command(LicenseWriteSession.UpdateLicenseSql,
            [.. LicenseRows.LicenseParameterNames.Select((name, i) => (name, values[i] ?? DBNull.Value))]);
        _updates.Add((update, license.Cal.LicenseId));
        _snapshot.Updated(license);
    }

    public void Append(AuditEntry entry) => _audits.Add(LicenseRows.AuditValues(entry));

    public IReadOnlyList<LicenseRecord> ReclaimExpiredSeats(DateTimeOffset now, int max) => Direct().ReclaimExpiredSeats(now, max);

    public void SaveActivation(ActivationState state) => Direct().SaveActivation(state);

    public Guid? FindKeyPackByInstallKey(string installKey) => Direct().FindKeyPackByInstallKey(installKey);

    public void InsertKeyPack(KeyPackRecord pack) => Changing().InsertKeyPack(pack);

    public void UpdateKeyPackInstalled(Guid id, int installed) => Changing().UpdateKeyPackInstalled(id, installed);

    public void DeleteKeyPack(Guid id) => Changing().DeleteKeyPack(id);

    public LicenseRecord? FindLicense(Guid id) => Direct().FindLicense(id);

    public RevocationSnapshot LoadRevocationSnapshot(ProductVersion version, DateTimeOffset now) => Direct().LoadRevocationSnapshot(version, now);

    public T InTransaction<T>(Func<DbConnection, DbTransaction, T> work) => Changing().InTransaction(work);

    /// <summary>
    /// Sends the held changes and the COMMIT in one round trip: the new CALs (one INSERT), the updates in their order, the
    /// audit events (one INSERT, in their order), then COMMIT. A statement the database refuses stops the batch before
    /// the COMMIT (the server skips the rest of a failed batch), so nothing is committed. Updates are checked for the CAL
    /// they found on this side, so a group holding any is flushed first and committed by its own round trip.
    /// </summary>
    public void Commit()
    {
        if (_updates.Count > 0)
        {
            Flush();
            _transaction.Commit();
            return;
        }

        using var batch = Changes();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        // Npgsql sees the transaction end in the server's answer: disposing it afterwards sends nothing.
        batch.ExecuteNonQuery();
    }

    /// <summary>
    /// Sends the held changes in one round trip, inside the transaction. An update that found no CAL fails the group as
    /// it fails a write alone.
    /// </summary>
    private void Flush()
    {
        if (_licenses.Count == 0 && _updates.Count == 0 && _audits.Count == 0)
        {
            return;
        }

        using var batch = Changes();
        batch.ExecuteNonQuery();
        foreach (var (command, licenseId) in _updates)
        {
            if (command.Rows != 1)
            {
                throw new InvalidOperationException($"License {licenseId} was not found to update.");
            }
        }

        _updates.Clear();
    }

    /// <summary>A batch of the held changes: the new CALs first (an update may be of one), the updates, the audit events.</summary>
    private NpgsqlBatch Changes()
    {
        var batch = new NpgsqlBatch(_connection, _transaction);
        if (_licenses.Count > 0)
        {
            batch.BatchCommands.Add(_licenses.Take());
        }

        foreach (var (command, _) in _updates)
        {
            batch.BatchCommands.Add(command);
        }

        if (_audits.Count > 0)
        {
            batch.BatchCommands.Add(_audits.Take());
        }

        return batch;
    }

    public void Dispose() => _transaction.Dispose();

    /// <summary>The database session for what the snapshot does not answer, once the changes held back have reached it.</summary>
    private LicenseWriteSession Direct()
    {
        Flush();
        return _direct;
    }

    /// <summary>As <see cref="Direct"/>, for a change the snapshot cannot follow: it stops answering.</summary>
    private LicenseWriteSession Changing()
    {
        _snapshot.Forget();
        return Direct();
    }

    private static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value));
        }

        return command;
    }

    private static GroupSnapshot ReadScopes(DbDataReader reader, List<CalType> types, IReadOnlyList<WriteScope> scopes,
        DateTimeOffset from, DateTimeOffset to)
    {
        var subjects = new Dictionary<(CalType, string), List<LicenseRecord>>();
        foreach (var scope in scopes)
        {
            subjects.TryAdd((scope.Type, scope.Subject), []);
        }

        var packs = new Dictionary<CalType, List<KeyPackRecord>>();
        var ending = new List<GroupSnapshot.Seat>();
        foreach (var type in types)
        {
            reader.NextResult();
            while (reader.Read())
            {
                var license = LicenseRows.ReadLicense(reader);
                subjects[(type, license.Cal.Subject)].Add(license);
            }

            reader.NextResult();
            var typePacks = new List<KeyPackRecord>();
            while (reader.Read())
            {
                typePacks.Add(LicenseRows.ReadKeyPack(reader));
            }

            packs[type] = typePacks;
            reader.NextResult();
            while (reader.Read())
            {
                ending.Add(new GroupSnapshot.Seat(Guid.Parse(reader.GetString(0)), reader.GetInt64(1)));
            }
        }

        return new GroupSnapshot(subjects, packs, ending, from, to);
    }
}
