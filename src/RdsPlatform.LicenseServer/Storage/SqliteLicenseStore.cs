using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The license database in one SQLite file: WAL so readers never block the writer, synchronous=FULL so an
/// acknowledged change survives a power cut or kill -9. Writes go through one writer loop that commits them in groups
/// (one transaction and one fsync per group, each write in its own savepoint), so decisions are sequential and an
/// issuance decision never works on a stale count (R7); BEGIN IMMEDIATE also keeps other processes out.
/// </summary>
public sealed class SqliteLicenseStore : ILicenseStore, IDisposable
{
    public const string FileName = "license-server.db";

    /// <summary>Rows read per query of a stream: bounded memory, no reader held open between batches.</summary>
    internal const int StreamBatchSize = 1000;

    private readonly string _connectionString;
    /// <summary>Writes committed together at most: bounds one transaction's length and the wait of the last in the group.</summary>
    internal const int MaxBatch = 256;

    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Channel<IPendingWrite> _writes = Channel.CreateUnbounded<IPendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;
    private readonly TimeProvider _time;
    private TaskCompletionSource _nextCommit = NewCommitSignal();

    public SqliteLicenseStore(IOptions<StorageOptions> storage, IHostEnvironment environment, TimeProvider time)
    {
        _time = time;
        var directory = Path.GetFullPath(storage.Value.DataDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(directory);
        DatabasePath = Path.Combine(directory, FileName);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public Task NextCommit => Volatile.Read(ref _nextCommit).Task;

    public async Task InitializeAsync(Func<ServerRecord> createIdentity, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            using var connection = OpenWriter();
            connection.Execute("PRAGMA journal_mode=WAL");
            SqliteSchema.Migrate(connection, _time.GetUtcNow());
            using var transaction = connection.BeginTransaction(deferred: false);
            var exists = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM server", transaction: transaction) > 0;
            if (!exists)
            {
                var identity = createIdentity();
                connection.Execute(
                    "INSERT INTO server (id, server_id, signing_key, created_at, activation_status) VALUES (1, @id, @key, @created, @status)",
                    new { id = identity.ServerId.ToString(), key = identity.SigningKey, created = identity.CreatedAt.UtcTicks, status = (int)identity.Activation.Status },
                    transaction);
            }

            transaction.Commit();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public Task<ServerRecord> GetServerAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        return Task.FromResult(ReadServer(connection, null));
    }

    public Task<T> WriteAsync<T>(Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureWriter();
        var operation = new PendingWrite<T>(work, cancellationToken);
        if (!_writes.Writer.TryWrite(operation))
        {
            operation.Dispose();
            throw new ObjectDisposedException(nameof(SqliteLicenseStore), "The license store is shutting down; retry on another license server or after its restart.");
        }

        return operation.Task;
    }

    public Task<IReadOnlyList<KeyPackRecord>> ListKeyPacksAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var connection = Open();
        return Task.FromResult(ReadKeyPacks(connection, null, now, null, null));
    }

    public async IAsyncEnumerable<LicenseRecord> StreamLicensesAsync(LicenseQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Keyset pagination on the unique license_id index: each batch is a fresh short query, so memory stays flat
        // and no reader (or WAL snapshot) is held open while the client reads slowly.
        var (where, parameters) = BuildLicenseFilter(query);
        var sql = $"SELECT {LicenseColumns} FROM licenses WHERE license_id > @after{where} ORDER BY license_id LIMIT {StreamBatchSize}";
        var after = query.AfterLicenseId?.ToString() ?? "";
        var batch = new List<LicenseRecord>(StreamBatchSize);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
            parameters["after"] = after;
            using (var connection = Open())
            using (var command = Command(connection, null, sql, parameters))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    batch.Add(ReadLicense(reader));
                }
            }

            foreach (var record in batch)
            {
                yield return record;
            }

            if (batch.Count < StreamBatchSize)
            {
                yield break;
            }

            after = batch[^1].Cal.LicenseId.ToString();
            await Task.Yield();
        }
    }

    public async IAsyncEnumerable<AuditRecord> StreamAuditAsync(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var typeFilter = types.Count == 0 ? "" : $" AND type IN ({string.Join(",", types.Select(t => (int)t).Distinct())})";
        var remaining = limit > 0 ? limit : int.MaxValue;
        var after = afterSequence;
        var batch = new List<AuditRecord>(StreamBatchSize);
        while (remaining > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
            var take = Math.Min(StreamBatchSize, remaining);
            using (var connection = Open())
            using (var command = Command(connection, null,
                $"SELECT sequence, occurred_at, type, license_id, key_pack_id, cal_type, version, subject, session_host_id, reason, detail FROM audit_events WHERE sequence > @after{typeFilter} ORDER BY sequence LIMIT {take}",
                new Dictionary<string, object?> { ["after"] = after }))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    batch.Add(new AuditRecord(reader.GetInt64(0), new AuditEntry(
                        Time(reader.GetInt64(1)),
                        (AuditEventType)reader.GetInt32(2),
                        reader.GetString(10),
                        reader.IsDBNull(9) ? null : (ReasonCode)reader.GetInt32(9),
                        reader.IsDBNull(3) ? null : Guid.Parse(reader.GetString(3)),
                        reader.IsDBNull(4) ? null : Guid.Parse(reader.GetString(4)),
                        reader.IsDBNull(5) ? null : (CalType)reader.GetInt32(5),
                        reader.IsDBNull(6) ? null : (ProductVersion)reader.GetInt32(6),
                        reader.IsDBNull(7) ? null : reader.GetString(7),
                        reader.IsDBNull(8) ? null : reader.GetString(8))));
                }
            }

            foreach (var record in batch)
            {
                yield return record;
            }

            if (batch.Count < take)
            {
                yield break;
            }

            remaining -= batch.Count;
            after = batch[^1].Sequence;
            await Task.Yield();
        }
    }

    public Task<PoolLevels> ReadPoolLevelsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var connection = Open();
        var packs = ReadKeyPacks(connection, null, now, null, null)
            .Select(p => new PoolLevel(p.Id, p.Version, p.CalType, p.Installed, p.Issued))
            .ToList();
        var overUsed = connection.Query<(long Version, long Count)>(
                "SELECT version, COUNT(*) FROM licenses WHERE status = 5 AND expires_at > @now GROUP BY version", new { now = now.UtcTicks })
            .Select(row => new OverUsedLevel((ProductVersion)row.Version, (int)row.Count))
            .ToList();
        return Task.FromResult(new PoolLevels(packs, overUsed));
    }

    public Task CheckAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_version");
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // Writes already queued are still committed and answered; new ones are refused.
        _writes.Writer.TryComplete();
        Task? writer;
        lock (_writes)
        {
            writer = _writer;
        }

        writer?.Wait(TimeSpan.FromSeconds(30));

        // Pooled connections would keep the file open after the host stopped.
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeGate.Dispose();
    }

    private void EnsureWriter()
    {
        if (Volatile.Read(ref _writer) is not null)
        {
            return;
        }

        lock (_writes)
        {
            _writer ??= Task.Factory.StartNew(WriterLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        }
    }

    /// <summary>
    /// Group commit: the single writer takes every queued write (up to <see cref="MaxBatch"/>), runs them one after another
    /// in ONE transaction, each in its own savepoint so a failing write rolls back alone, commits once (one fsync for the
    /// group) and only then answers the callers. Decisions stay sequential, so each sees the previous one's seats (R7),
    /// and nothing is acknowledged before it is durable.
    /// </summary>
    private async Task WriterLoopAsync()
    {
        var batch = new List<IPendingWrite>(MaxBatch);
        var reader = _writes.Reader;
        PreparedStatements? connection = null;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var operation))
                {
                    // Cancelled before it started: skipped, its caller already saw the cancellation.
                    if (operation.TryStart())
                    {
                        batch.Add(operation);
                    }
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                await _writeGate.WaitAsync();
                try
                {
                    connection ??= new PreparedStatements(OpenWriter());
                    RunBatch(connection, batch);
                }
                catch (Exception ex)
                {
                    // BEGIN or COMMIT failed: nothing of the group is durable, every caller gets the error.
                    foreach (var operation in batch)
                    {
                        operation.Fail(ex);
                    }

                    connection?.Dispose();
                    connection = null;
                }
                finally
                {
                    _writeGate.Release();
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private static TaskCompletionSource NewCommitSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void RunBatch(PreparedStatements statements, List<IPendingWrite> batch)
    {
        using var transaction = statements.Connection.BeginTransaction(deferred: false);
        var session = new SqliteWriteSession(statements, transaction, ReadServer(statements.Get(ServerQuery, transaction)));
        if (batch.Count == 1)
        {
            // Alone in its group: no savepoint needed, a failure rolls the whole transaction back.
            batch[0].Run(session);
            if (batch[0].Failed)
            {
                transaction.Rollback();
                batch[0].Complete();
                return;
            }
        }
        else
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var server = session.Server;
                var reclaimed = session.SeatsReclaimed;
                var afterCommit = session.AfterCommitCount;
                var name = "w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                transaction.Save(name);
                batch[i].Run(session);
                if (batch[i].Failed)
                {
                    transaction.Rollback(name);
                    session.Restore(server, reclaimed, afterCommit);
                }

                transaction.Release(name);
            }
        }

        transaction.Commit();
        session.Committed();
        Interlocked.Exchange(ref _nextCommit, NewCommitSignal()).TrySetResult();
        foreach (var operation in batch)
        {
            operation.Complete();
        }
    }

    private SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // The writer's own connection, kept open: FULL makes every commit durable in WAL mode (an acknowledged CAL
        // survives kill -9); busy_timeout covers other processes writing the file (the load tool's seeder).
        connection.Execute("PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
        return connection;
    }

    private SqliteConnection Open()
    {
        // Readers only: WAL readers never wait for the writer, and Microsoft.Data.Sqlite retries a busy file up to DefaultTimeout.
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private interface IPendingWrite
    {
        bool Failed { get; }

        bool TryStart();

        void Run(ILicenseWriteSession session);

        void Complete();

        void Fail(Exception exception);
    }

    /// <summary>One queued write and its caller's task, completed only after the group's commit.</summary>
    private sealed class PendingWrite<T> : IPendingWrite, IDisposable
    {
        private const int Queued = 0, Started = 1, Cancelled = 2;

        private readonly Func<ILicenseWriteSession, T> _work;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;
        private int _state;
        private T? _result;
        private Exception? _error;

        public PendingWrite(Func<ILicenseWriteSession, T> work, CancellationToken cancellationToken)
        {
            _work = work;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.Register(static (state, token) =>
                {
                    var self = (PendingWrite<T>)state!;
                    if (Interlocked.CompareExchange(ref self._state, Cancelled, Queued) == Queued)
                    {
                        self._completion.TrySetCanceled(token);
                    }
                }, this);
            }
        }

        public Task<T> Task => _completion.Task;

        public bool Failed => _error is not null;

        public bool TryStart()
        {
            var started = Interlocked.CompareExchange(ref _state, Started, Queued) == Queued;
            if (!started)
            {
                _registration.Dispose();
            }

            return started;
        }

        public void Run(ILicenseWriteSession session)
        {
            try
            {
                _result = _work(session);
            }
            catch (Exception ex)
            {
                _error = ex;
            }
        }

        public void Complete()
        {
            _registration.Dispose();
            if (_error is not null)
            {
                _completion.TrySetException(_error);
            }
            else
            {
                _completion.TrySetResult(_result!);
            }
        }

        public void Fail(Exception exception)
        {
            _registration.Dispose();
            _completion.TrySetException(exception);
        }

        public void Dispose() => _registration.Dispose();
    }

    internal const string LicenseColumns =
        "license_id, cal_type, version, subject, status, key_pack_id, issued_at, expires_at, validated, assigned_at, revoked_at, computer_name, user_domain, user_name, session_host_id";

    internal static LicenseRecord ReadLicense(SqliteDataReader r)
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
        return new LicenseRecord(cal,
            r.IsDBNull(11) ? null : r.GetString(11),
            r.IsDBNull(12) ? null : r.GetString(12),
            r.IsDBNull(13) ? null : r.GetString(13),
            r.IsDBNull(14) ? null : r.GetString(14));
    }

    internal const string ServerQuery =
        "SELECT server_id, signing_key, created_at, activation_status, contact_first_name, contact_last_name, contact_company, contact_country, contact_email, activated_at, deactivated_at, reactivation_reason FROM server WHERE id = 1";

    internal static ServerRecord ReadServer(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = Command(connection, transaction, ServerQuery, null);
        return ReadServer(command);
    }

    internal static ServerRecord ReadServer(SqliteCommand command)
    {
        using var r = command.ExecuteReader();
        if (!r.Read())
        {
            throw new InvalidOperationException("The license database has no server identity; the store was not initialized.");
        }

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

    /// <summary>Packs with their seats occupied at <paramref name="now"/>, optionally only one CAL type or one pack.</summary>
    internal static IReadOnlyList<KeyPackRecord> ReadKeyPacks(SqliteConnection connection, SqliteTransaction? transaction, DateTimeOffset now, CalType? type, Guid? id)
    {
        var (sql, parameters) = KeyPackQuery(now, type, id);
        using var command = Command(connection, transaction, sql, parameters);
        return ReadKeyPacks(command);
    }

    /// <summary>
    /// The key pack query. Occupied seats = seats held past the end of today (the per-day sums of <c>pack_seat_days</c>)
    /// + today's seats still held at <paramref name="now"/> (an index range over today only), so the cost does not grow
    /// with the number of CALs a pack has issued.
    /// </summary>
    internal static (string Sql, Dictionary<string, object?> Parameters) KeyPackQuery(DateTimeOffset now, CalType? type, Guid? id)
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

    internal static List<KeyPackRecord> ReadKeyPacks(SqliteCommand command)
    {
        using var r = command.ExecuteReader();
        var packs = new List<KeyPackRecord>();
        while (r.Read())
        {
            packs.Add(new KeyPackRecord(
                Guid.Parse(r.GetString(0)),
                r.GetString(1),
                (KeyPackProgram)r.GetInt32(2),
                r.IsDBNull(3) ? null : (AgreementType)r.GetInt32(3),
                r.GetString(4),
                (ProductVersion)r.GetInt32(5),
                (CalType)r.GetInt32(6),
                r.GetInt32(7),
                (int)r.GetInt64(9),
                Time(r.GetInt64(8))));
        }

        return packs;
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, IReadOnlyDictionary<string, object?>? parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        if (parameters is not null)
        {
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue("@" + name, value ?? DBNull.Value);
            }
        }

        return command;
    }

    internal static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    private static string? Text(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static (string Where, Dictionary<string, object?> Parameters) BuildLicenseFilter(LicenseQuery q)
    {
        var where = new StringBuilder();
        var p = new Dictionary<string, object?> { ["now"] = q.Now.UtcTicks };
        if (q.Type is { } type)
        {
            // '+' keeps SQLite off ix_licenses_version_status: with it every batch would sort all matching rows by license_id
            // (a temp B-tree per 1000 rows, quadratic over a million CALs); walking the license_id index stays linear.
            where.Append(" AND +cal_type = @type");
            p["type"] = (int)type;
        }

        if (q.Version is { } version)
        {
            where.Append(" AND +version = @version");
            p["version"] = (int)version;
        }

        if (q.Subject is { Length: > 0 } subject)
        {
            where.Append(" AND subject = @subject");
            p["subject"] = subject;
        }

        if (q.UserDomain is { Length: > 0 } domain)
        {
            where.Append(" AND user_domain = @domain COLLATE NOCASE");
            p["domain"] = domain;
        }

        if (q.KeyPackId is { } pack)
        {
            where.Append(" AND key_pack_id = @pack");
            p["pack"] = pack.ToString();
        }

        // The shown status is derived: any CAL but a revoked one reads Expired once past its expiry (IssuedCal.StatusAt).
        switch (q.Status)
        {
            case CalStatus.Expired:
                where.Append(" AND status <> 3 AND expires_at <= @now");
                break;
            case CalStatus.Revoked:
                where.Append(" AND status = 3");
                if (!q.IncludeExpired)
                {
                    where.Append(" AND expires_at > @now");
                }

                break;
            case { } status:
                where.Append(" AND status = @status AND expires_at > @now");
                p["status"] = (int)status;
                break;
            default:
                if (!q.IncludeExpired)
                {
                    where.Append(" AND expires_at > @now");
                }

                break;
        }

        return (where.ToString(), p);
    }
}
