using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>How an engine opens a connection for reads, and the SQL that differs between the engines.</summary>
/// <param name="UserDomainMatch">A user domain equal to <c>@domain</c> without regard to (ASCII) case.</param>
/// <param name="Position">The function giving a substring's 1-based position (SQLite <c>instr</c>, PostgreSQL <c>strpos</c>).</param>
/// <param name="NotForIndex">
/// What a listing puts before the CAL type and version it filters on so that the planner walks the table's key in
/// order: SQLite's unary <c>+</c> (which keeps it off ix_licenses_version_status); nothing on PostgreSQL, whose planner
/// takes a <c>+column</c> comparison for a 0.5% guess and then prefers a scan and a sort of the whole table per batch.
/// </param>
/// <param name="ReadListing">How the engine reads a whole bulk listing (<see cref="ListingRead"/>).</param>
internal sealed record ReadEngine(Func<CancellationToken, Task<DbConnection>> OpenAsync, string UserDomainMatch, string Position, string NotForIndex,
    ListingRead ReadListing);

/// <summary>
/// Reads the whole bulk listing <paramref name="listing"/> (<see cref="LicenseRows.ListingColumns"/>) in license id order:
/// each row handed to <paramref name="rows"/>, and after every <see cref="Listing.BatchSize"/> rows (and after a shorter
/// last batch that had rows) that batch's row count, before the next row is read.
/// </summary>
internal delegate IAsyncEnumerable<int> ListingRead(Listing listing, IListingRowSink rows, CancellationToken cancellationToken);

/// <summary>
/// Runs one batch query of the bulk listing on <paramref name="connection"/>, handing each row to <paramref name="rows"/>;
/// how many rows, and the last one's license id (the next batch's cursor).
/// </summary>
internal delegate Task<(int Count, string? Last)> ListingBatchRead(DbConnection connection, string sql, IReadOnlyDictionary<string, object?> parameters,
    IListingRowSink rows, CancellationToken cancellationToken);

/// <summary>A listing's query: the CALs after the cursor <c>@after</c> that pass its filters, read in batches of <see cref="BatchSize"/>.</summary>
/// <param name="Select">The <c>SELECT ... FROM licenses WHERE license_id &gt; @after ...</c>, without an order or a limit.</param>
internal sealed record Listing(string Select, Dictionary<string, object?> Parameters, int BatchSize)
{
    /// <summary>The whole listing in license id order, one query.</summary>
    public string Ordered => Select + " ORDER BY license_id";

    /// <summary>One batch: the next <c>@batch</c> CALs after <c>@after</c> (the parameters carry both).</summary>
    public string Batch => Ordered + " LIMIT @batch";

    /// <summary>
    /// The listing walked by its key, a short query per batch from the last batch's last id (keyset pagination): memory
    /// stays flat and no reader, nor SQLite's WAL snapshot, is held between batches, whatever the reader's pace.
    /// </summary>
    public static async IAsyncEnumerable<int> ReadByKeyAsync(Func<CancellationToken, Task<DbConnection>> openAsync, ListingBatchRead readBatch,
        Listing listing, IListingRowSink rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>(listing.Parameters) { ["batch"] = listing.BatchSize };
        var sql = listing.Batch;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count;
            string? last;
            await using (var connection = await openAsync(cancellationToken))
            {
                (count, last) = await readBatch(connection, sql, parameters, rows, cancellationToken);
            }

            if (count > 0)
            {
                yield return count;
            }

            if (count < listing.BatchSize)
            {
                yield break;
            }

            parameters["after"] = last;
        }
    }
}

/// <summary>
/// The license store's read queries on either engine, each on a short connection of its own (SQLite WAL readers and
/// PostgreSQL snapshots are never blocked by the writer).
/// </summary>
internal sealed class LicenseReads(ReadEngine engine) : ILicenseReader, Application.ILicenseCountReader
{
    /// <summary>Rows read per query of a stream: bounded memory, no reader held open between batches.</summary>
    internal const int StreamBatchSize = 1000;

    public async Task<ServerRecord> GetServerAsync(CancellationToken cancellationToken) =>
        (await ReadBatchAsync(LicenseRows.ServerQuery, new Dictionary<string, object?>(), LicenseRows.ReadServer, cancellationToken))
            .SingleOrDefault() ?? throw new InvalidOperationException(LicenseRows.NoIdentity);

    public async Task<IReadOnlyList<KeyPackRecord>> ListKeyPacksAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await ReadKeyPacksAsync(now, cancellationToken);

    public async IAsyncEnumerable<LicenseRecord> StreamLicensesAsync(LicenseQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Keyset pagination on the table's key, license_id: each batch is a fresh short query, so memory stays flat
        // and no reader (or WAL snapshot) is held open while the client reads slowly.
        var listing = ListingOf(query, LicenseRows.LicenseColumns);
        var (sql, parameters) = (listing.Batch, listing.Parameters);
        parameters["batch"] = StreamBatchSize;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await ReadBatchAsync(sql, parameters, LicenseRows.ReadLicense, cancellationToken);
            foreach (var record in batch)
            {
                yield return record;
            }

            if (batch.Count < StreamBatchSize)
            {
                yield break;
            }

            parameters["after"] = batch[^1].Cal.LicenseId.ToString();
        }
    }

    public async IAsyncEnumerable<TBatch> StreamListingAsync<TBatch>(LicenseQuery query, IListingBatchBuilder<TBatch> builder,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // StreamLicensesAsync's query, with the listing's own columns (LicenseRows.ListingColumns), read the engine's way.
        await foreach (var _ in engine.ReadListing(ListingOf(query, LicenseRows.ListingColumns), builder, cancellationToken))
        {
            yield return builder.Complete();
        }
    }

    /// <summary>
    /// One GROUP BY over the rows StreamLicensesAsync would list for each status (stored status, expiry after now); a Per
    /// User CAL's domain is its stored user's domain, else the subject's part before the separator (LicenseCounting.DomainOf).
    /// </summary>
    public async Task<IReadOnlyList<Application.LicenseCount>> CountLicensesAsync(IReadOnlyCollection<CalStatus> statuses, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (statuses.Count == 0)
        {
            return [];
        }

        var parameters = new Dictionary<string, object?> { ["now"] = now.UtcTicks, ["perUser"] = (int)CalType.PerUser };
        var names = statuses.Distinct().Select((status, i) =>
        {
            parameters["s" + i] = (int)status;
            return "@s" + i;
        }).ToList();
        // Devices from ix_licenses_version_status alone (a covering scan: 150,000 CALs in about 20 ms here); only Per User
        // rows are read from the table, for their domain (reading every row for it took 30 times as long).
        var statusList = string.Join(", ", names);
        var at = engine.Position;
        var sql = $"""
            SELECT cal_type, version, status, '' AS domain, COUNT(*) AS count
            FROM licenses WHERE cal_type <> @perUser AND status IN ({statusList}) AND expires_at > @now
            GROUP BY 1, 2, 3
            UNION ALL
            SELECT cal_type, version, status,
                   CASE WHEN COALESCE(user_name, '') <> '' THEN COALESCE(user_domain, '')
                        WHEN {at}(subject, '\') > 0 THEN substr(subject, 1, {at}(subject, '\') - 1)
                        ELSE '' END AS domain,
                   COUNT(*) AS count
            FROM licenses WHERE cal_type = @perUser AND status IN ({statusList}) AND expires_at > @now
            GROUP BY 1, 2, 3, 4
            """;
        return await ReadBatchAsync(sql, parameters, r => new Application.LicenseCount(
            (CalType)r.GetInt32(0), (ProductVersion)r.GetInt32(1), (CalStatus)r.GetInt32(2), r.GetString(3), r.GetInt64(4)), cancellationToken);
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
        var sql = $"SELECT {LicenseRows.AuditColumns} FROM audit_events WHERE sequence > @after{typeFilter} ORDER BY sequence LIMIT @take";
        var remaining = limit > 0 ? limit : int.MaxValue;
        parameters["after"] = afterSequence;
        while (remaining > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var take = Math.Min(StreamBatchSize, remaining);
            parameters["take"] = take;
            var batch = await ReadBatchAsync(sql, parameters, LicenseRows.ReadAudit, cancellationToken);
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
        }
    }

    public async Task<PoolLevels> ReadPoolLevelsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var packs = (await ReadKeyPacksAsync(now, cancellationToken)).ConvertAll(p => new PoolLevel(p.Id, p.Version, p.CalType, p.Installed, p.Issued));
        var overUsed = await ReadBatchAsync(OverUsedQuery, new Dictionary<string, object?> { ["overUsed"] = (int)CalStatus.OverUsed, ["now"] = now.UtcTicks },
            r => new OverUsedLevel((ProductVersion)r.GetInt32(0), (int)r.GetInt64(1)), cancellationToken);
        return new PoolLevels(packs, overUsed);
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var connection = await engine.OpenAsync(cancellationToken);
        await using var command = LicenseRows.Command(connection, null, "SELECT COUNT(*) FROM server", null);
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// Unexpired OverUsed CALs per version; SQLite matches the bound status against ix_licenses_overused's <c>status = 5</c>,
    /// and PostgreSQL plans each call with the value (prepared statements get custom plans: <see cref="PostgresLicenseDatabase.ConfigureDataSource"/>).
    /// </summary>
    internal const string OverUsedQuery = "SELECT version, COUNT(*) FROM licenses WHERE status = @overUsed AND expires_at > @now GROUP BY version";

    private async Task<List<KeyPackRecord>> ReadKeyPacksAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (sql, parameters) = LicenseRows.KeyPackQuery(now, null, null);
        return await ReadBatchAsync(sql, parameters, LicenseRows.ReadKeyPack, cancellationToken);
    }

    private async Task<List<T>> ReadBatchAsync<T>(string sql, IReadOnlyDictionary<string, object?> parameters, Func<DbDataReader, T> read,
        CancellationToken cancellationToken)
    {
        var batch = new List<T>();
        await using var connection = await engine.OpenAsync(cancellationToken);
        await using var command = LicenseRows.Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            batch.Add(read(reader));
        }

        return batch;
    }

    /// <summary>The listing of <paramref name="query"/> after its cursor (<c>@after</c>), in batches of StreamBatchSize rows.</summary>
    internal Listing ListingOf(LicenseQuery query, string columns)
    {
        var (where, parameters) = LicenseFilter(query, engine);
        parameters["after"] = query.AfterLicenseId?.ToString() ?? "";
        return new Listing($"SELECT {columns} FROM licenses WHERE license_id > @after{where}", parameters, StreamBatchSize);
    }

    private static (string Where, Dictionary<string, object?> Parameters) LicenseFilter(LicenseQuery q, ReadEngine engine)
    {
        var where = new StringBuilder();
        var p = new Dictionary<string, object?> { ["now"] = q.Now.UtcTicks };
        if (q.Type is { } type)
        {
            // Kept off ix_licenses_version_status (ReadEngine.NotForIndex): with it every batch would sort all matching rows by
            // license_id (a sort per 1000 rows, quadratic over a million CALs); walking the table in license_id order stays linear.
            where.Append(" AND ").Append(engine.NotForIndex).Append("cal_type = @type");
            p["type"] = (int)type;
        }

        if (q.Version is { } version)
        {
            where.Append(" AND ").Append(engine.NotForIndex).Append("version = @version");
            p["version"] = (int)version;
        }

        if (q.Subject is { Length: > 0 } subject)
        {
            where.Append(" AND subject = @subject");
            p["subject"] = subject;
        }

        if (q.UserDomain is { Length: > 0 } domain)
        {
            where.Append(" AND ").Append(engine.UserDomainMatch);
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

/// <summary>The license id of the last row a listing batch read, kept as its UTF-8 bytes and made a string once per batch.</summary>
internal sealed class LastLicenseId
{
    private byte[] _bytes = new byte[64];
    private int _length = -1;

    public void Keep(ReadOnlySpan<byte> id)
    {
        if (id.Length > _bytes.Length)
        {
            _bytes = new byte[id.Length];
        }

        id.CopyTo(_bytes);
        _length = id.Length;
    }

    /// <summary>The id kept last, or null when no row was read.</summary>
    public override string? ToString() => _length < 0 ? null : Encoding.UTF8.GetString(_bytes, 0, _length);
}
