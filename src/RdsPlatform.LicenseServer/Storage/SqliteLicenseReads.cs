using System.Runtime.CompilerServices;
using System.Text;
using Dapper;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>The SQLite engine's read queries, each on a short connection of its own (WAL: never blocked by the writer).</summary>
internal sealed class SqliteLicenseReads(SqliteLicenseDatabase database) : ILicenseReader, Application.ILicenseCountReader
{
    /// <summary>Rows read per query of a stream: bounded memory, no reader held open between batches.</summary>
    internal const int StreamBatchSize = 1000;

    public Task<ServerRecord> GetServerAsync(CancellationToken cancellationToken)
    {
        using var connection = database.OpenReader();
        using var command = SqliteRows.Command(connection, null, SqliteRows.ServerQuery, null);
        return Task.FromResult(SqliteRows.ReadServer(command));
    }

    public Task<IReadOnlyList<KeyPackRecord>> ListKeyPacksAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<KeyPackRecord>>(ReadKeyPacks(now));

    public async IAsyncEnumerable<LicenseRecord> StreamLicensesAsync(LicenseQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Keyset pagination on the unique license_id index: each batch is a fresh short query, so memory stays flat
        // and no reader (or WAL snapshot) is held open while the client reads slowly.
        var (where, parameters) = LicenseFilter(query);
        var sql = $"SELECT {SqliteRows.LicenseColumns} FROM licenses WHERE license_id > @after{where} ORDER BY license_id LIMIT @batch";
        parameters["batch"] = StreamBatchSize;
        parameters["after"] = query.AfterLicenseId?.ToString() ?? "";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = ReadBatch(sql, parameters, SqliteRows.ReadLicense);
            foreach (var record in batch)
            {
                yield return record;
            }

            if (batch.Count < StreamBatchSize)
            {
                yield break;
            }

            parameters["after"] = batch[^1].Cal.LicenseId.ToString();
            await Task.Yield();
        }
    }

    /// <summary>
    /// One GROUP BY over the rows StreamLicensesAsync would list for each status (stored status, expiry after now); a Per
    /// User CAL's domain is its stored user's domain, else the subject's part before the separator (LicenseCounting.DomainOf).
    /// </summary>
    public Task<IReadOnlyList<Application.LicenseCount>> CountLicensesAsync(IReadOnlyCollection<CalStatus> statuses, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (statuses.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<Application.LicenseCount>>([]);
        }

        var parameters = new DynamicParameters(new { now = now.UtcTicks, perUser = (int)CalType.PerUser });
        var names = statuses.Distinct().Select((status, i) =>
        {
            parameters.Add("s" + i, (int)status);
            return "@s" + i;
        }).ToList();
        // Devices from ix_licenses_version_status alone (a covering scan: 150,000 CALs in about 20 ms here); only Per User
        // rows are read from the table, for their domain (reading every row for it took 30 times as long).
        var statusList = string.Join(", ", names);
        var sql = $"""
            SELECT cal_type, version, status, '' AS domain, COUNT(*) AS count
            FROM licenses WHERE cal_type <> @perUser AND status IN ({statusList}) AND expires_at > @now
            GROUP BY 1, 2, 3
            UNION ALL
            SELECT cal_type, version, status,
                   CASE WHEN COALESCE(user_name, '') <> '' THEN COALESCE(user_domain, '')
                        WHEN instr(subject, '\') > 0 THEN substr(subject, 1, instr(subject, '\') - 1)
                        ELSE '' END AS domain,
                   COUNT(*) AS count
            FROM licenses WHERE cal_type = @perUser AND status IN ({statusList}) AND expires_at > @now
            GROUP BY 1, 2, 3, 4
            """;
        using var connection = database.OpenReader();
        var counts = connection.Query<(long Type, long Version, long Status, string Domain, long Count)>(sql, parameters)
            .Select(row => new Application.LicenseCount((CalType)row.Type, (ProductVersion)row.Version, (CalStatus)row.Status, row.Domain, row.Count))
            .ToList();
        return Task.FromResult<IReadOnlyList<Application.LicenseCount>>(counts);
    }

    public async IAsyncEnumerable<AuditRecord> StreamAuditAsync(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>();
        var typeNames = types.Select(t => (int)t).Distinct().Select((type, i) =>
        {
            parameters["type" + i] = type;
            return "@type" + i;
        }).ToList();
        var typeFilter = typeNames.Count == 0 ? "" : $" AND type IN ({string.Join(", ", typeNames)})";
        var sql = $"SELECT {SqliteRows.AuditColumns} FROM audit_events WHERE sequence > @after{typeFilter} ORDER BY sequence LIMIT @take";
        var remaining = limit > 0 ? limit : int.MaxValue;
        parameters["after"] = afterSequence;
        while (remaining > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var take = Math.Min(StreamBatchSize, remaining);
            parameters["take"] = take;
            var batch = ReadBatch(sql, parameters, SqliteRows.ReadAudit);
            foreach (var record in batch)
            {
                yield return record;
            }

            if (batch.Count < take)
            {
                yield break;
            }

            remaining -= batch.Count;
            parameters["after"] = batch[^1].Sequence;
            await Task.Yield();
        }
    }

    public Task<PoolLevels> ReadPoolLevelsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var packs = ReadKeyPacks(now).ConvertAll(p => new PoolLevel(p.Id, p.Version, p.CalType, p.Installed, p.Issued));
        using var connection = database.OpenReader();
        var overUsed = connection.Query<(long Version, long Count)>(OverUsedQuery, new { overUsed = (int)CalStatus.OverUsed, now = now.UtcTicks })
            .Select(row => new OverUsedLevel((ProductVersion)row.Version, (int)row.Count))
            .ToList();
        return Task.FromResult(new PoolLevels(packs, overUsed));
    }

    public Task CheckAsync(CancellationToken cancellationToken)
    {
        using var connection = database.OpenReader();
        connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_version");
        return Task.CompletedTask;
    }

    /// <summary>Unexpired OverUsed CALs per version; SQLite matches the bound status against ix_licenses_overused's <c>status = 5</c>.</summary>
    internal const string OverUsedQuery = "SELECT version, COUNT(*) FROM licenses WHERE status = @overUsed AND expires_at > @now GROUP BY version";

    private List<KeyPackRecord> ReadKeyPacks(DateTimeOffset now)
    {
        var (sql, parameters) = SqliteRows.KeyPackQuery(now, null, null);
        using var connection = database.OpenReader();
        using var command = SqliteRows.Command(connection, null, sql, parameters);
        return SqliteRows.ReadKeyPacks(command);
    }

    private List<T> ReadBatch<T>(string sql, IReadOnlyDictionary<string, object?> parameters, Func<Microsoft.Data.Sqlite.SqliteDataReader, T> read)
    {
        var batch = new List<T>(StreamBatchSize);
        using var connection = database.OpenReader();
        using var command = SqliteRows.Command(connection, null, sql, parameters);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            batch.Add(read(reader));
        }

        return batch;
    }

    private static (string Where, Dictionary<string, object?> Parameters) LicenseFilter(LicenseQuery q)
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

        where.Append(StatusFilter(q.Status, q.IncludeExpired, p));
        return (where.ToString(), p);
    }

    /// <summary>The shown status is derived: any CAL but a revoked one reads Expired once past its expiry (IssuedCal.StatusAt).</summary>
    private static string StatusFilter(CalStatus? status, bool includeExpired, Dictionary<string, object?> p)
    {
        if (status is CalStatus.Expired or CalStatus.Revoked)
        {
            p["revoked"] = (int)CalStatus.Revoked;
        }

        switch (status)
        {
            case CalStatus.Expired:
                return " AND status <> @revoked AND expires_at <= @now";
            case CalStatus.Revoked:
                return includeExpired ? " AND status = @revoked" : " AND status = @revoked AND expires_at > @now";
            case { } stored:
                p["status"] = (int)stored;
                return " AND status = @status AND expires_at > @now";
            default:
                return includeExpired ? "" : " AND expires_at > @now";
        }
    }
}
