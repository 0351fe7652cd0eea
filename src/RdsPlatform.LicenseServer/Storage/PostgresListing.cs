using System.Runtime.CompilerServices;
using Npgsql;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The bulk listing on PostgreSQL: one query for the whole listing, its rows read as they come and handed out in batches.
/// PostgreSQL keeps a table's rows where there was room when they were written, and a renewal (a new row version: the
/// renewed expiry is indexed, so no in-place update) moves a CAL; after a renewal cycle the heap is in renewal order,
/// not license id order. Walking the id index then fetches every row from a different page (a million-CAL listing
/// read about a million heap pages through a 128 MB buffer cache: 5.4 s of the database's time, in batches of a
/// thousand as SQLite reads it), where one sequential scan and one sort of the whole listing read each page once
/// (about 1.4 s, the sort spilling to temporary files beyond <c>work_mem</c>). So the listing is one statement,
/// planned without plain index scans (<see cref="PlanSettings"/>): a bitmap scan still serves a selective filter (one
/// subject, one key pack, a cursor near the end) and the sort then covers only what it found.
/// </summary>
/// <remarks>
/// The listing holds one connection and one snapshot (a consistent listing) for as long as its reader takes to read it:
/// reports read ahead, so a million CALs take seconds. A listing left before its end cancels its statement, so the
/// server stops sorting and sending at once instead of the reader draining every remaining row.
/// </remarks>
internal static class PostgresListing
{
    /// <summary>The planner settings of a listing's transaction: no plain index scan walking the heap in key order.</summary>
    internal const string PlanSettings = "SET LOCAL enable_indexscan = off";

    public static async IAsyncEnumerable<int> ReadAsync(PostgresDatabase database, Listing listing, IListingRowSink rows,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var plan = new NpgsqlCommand(PlanSettings, connection, transaction))
        {
            await plan.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = (NpgsqlCommand)LicenseRows.Command(connection, transaction, listing.Ordered, listing.Parameters);
        var reader = await command.ExecuteReaderAsync(cancellationToken);
        var finished = false;
        try
        {
            await foreach (var count in LicenseRows.ReadListingAsync(reader, rows, listing.BatchSize, cancellationToken))
            {
                yield return count;
            }

            finished = true;
        }
        finally
        {
            if (!finished)
            {
                // Npgsql would otherwise read every remaining row to reach the end of the statement; the cancellation's
                // own error is consumed by the reader's close (Npgsql 5+), so leaving raises nothing.
                command.Cancel();
            }

            await reader.DisposeAsync();
        }
    }
}
