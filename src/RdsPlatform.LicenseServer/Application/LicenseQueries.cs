using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace RdsPlatform.LicenseServer.Application;

/// <summary>Audit and license queries: the issued-license listing and the audit trail, read or followed as it grows.</summary>
public sealed class LicenseQueries(ILicenseReader reader, ILicenseWriter writer, IOptions<LicenseServerOptions> options, ILicenseCountReader? counter = null)
{
    public IAsyncEnumerable<LicenseRecord> ListIssuedLicenses(LicenseQuery query, CancellationToken cancellationToken) =>
        reader.StreamLicensesAsync(query, cancellationToken);

    /// <summary>The same listing a batch at a time, each CAL handed to <paramref name="builder"/> as it is read (<see cref="ILicenseReader.StreamListingAsync{TBatch}"/>).</summary>
    public IAsyncEnumerable<TBatch> ListIssuedLicenseBatches<TBatch>(LicenseQuery query, IListingBatchBuilder<TBatch> builder, CancellationToken cancellationToken) =>
        reader.StreamListingAsync(query, builder, cancellationToken);

    public Task<IReadOnlyList<LicenseCount>> CountIssuedLicenses(IReadOnlyCollection<CalStatus> statuses, DateTimeOffset now, CancellationToken cancellationToken) =>
        LicenseCounting.CountAsync(reader, counter, statuses, now, cancellationToken);

    public IAsyncEnumerable<AuditRecord> AuditTrail(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types, bool follow,
        CancellationToken cancellationToken) =>
        follow
            ? FollowAuditTrailAsync(afterSequence, limit, types, cancellationToken)
            : reader.StreamAuditAsync(afterSequence, limit, types, cancellationToken);

    /// <summary>The stored events, then each new one once committed, until the limit or cancellation (the caller's deadline).</summary>
    private async IAsyncEnumerable<AuditRecord> FollowAuditTrailAsync(long afterSequence, int limit, IReadOnlyCollection<AuditEventType> types,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sent = 0;
        while (true)
        {
            var nextCommit = writer.NextCommit;
            await foreach (var record in reader.StreamAuditAsync(afterSequence, limit == 0 ? 0 : limit - sent, types, cancellationToken))
            {
                afterSequence = record.Sequence;
                sent++;
                yield return record;
            }

            if (limit > 0 && sent >= limit)
            {
                yield break;
            }

            // Another process writing the same database (a replica, the load tool's seeder) commits without this
            // process's signal, so look again now and then as well (wall-clock time: the simulated clock may stand still).
            await Task.WhenAny(nextCommit, Task.Delay(options.Value.AuditFollowPollInterval, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
