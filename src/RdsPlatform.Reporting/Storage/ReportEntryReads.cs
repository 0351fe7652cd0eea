using System.Data.Common;
using System.Runtime.CompilerServices;

namespace RdsPlatform.Reporting.Storage;

/// <summary>
/// Reads a report's entries on either engine (both accept <c>@name</c> parameters): from its pages, or, for a report
/// stored before schema version 2, from its row-per-entry <c>report_entries</c>. A report is only ever in one form, so
/// the old table is read only when no page matched.
/// </summary>
internal static class ReportEntryReads
{
    /// <summary>Entries with an ordinal above <paramref name="afterOrdinal"/> in ordinal order, at most <paramref name="limit"/> (all when 0 or less).</summary>
    public static async IAsyncEnumerable<StoredEntry> StreamAsync(
        DbConnection connection, string reportId, long afterOrdinal, int limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long wanted = limit <= 0 ? long.MaxValue : limit;
        long yielded = 0;
        var decoded = new List<StoredEntry>(ReportPages.MaxEntriesPerPage);
        await using (var pages = PagesCommand(connection, reportId, afterOrdinal, wanted))
        await using (var reader = await pages.ExecuteReaderAsync(cancellationToken))
        {
            while (yielded < wanted && await reader.ReadAsync(cancellationToken))
            {
                decoded.Clear();
                ReportPages.Decode(reader.GetFieldValue<byte[]>(1), reader.GetInt64(0), afterOrdinal, wanted - yielded, decoded);
                foreach (var entry in decoded)
                {
                    yield return entry;
                }

                yielded += decoded.Count;
            }
        }

        if (yielded > 0)
        {
            yield break;
        }

        await using var rows = Command(connection, """
            SELECT ordinal, entry FROM report_entries
            WHERE report_id = @id AND ordinal > @after ORDER BY ordinal LIMIT @limit
            """, ("@id", reportId), ("@after", afterOrdinal), ("@limit", wanted));
        await using var rowReader = await rows.ExecuteReaderAsync(cancellationToken);
        while (await rowReader.ReadAsync(cancellationToken))
        {
            yield return new StoredEntry(rowReader.GetInt64(0), ReportEntry.Parser.ParseFrom(rowReader.GetFieldValue<byte[]>(1)));
        }
    }

    /// <summary>Every entry, a stored page at a time; a report stored row by row, an entry to a page.</summary>
    public static async IAsyncEnumerable<ReportPage> StreamPagesAsync(DbConnection connection, string reportId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var any = false;
        await using (var pages = Command(connection, "SELECT first_ordinal, entry_count, entries FROM report_pages WHERE report_id = @id ORDER BY first_ordinal",
            ("@id", reportId)))
        await using (var reader = await pages.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                any = true;
                yield return new ReportPage(reader.GetInt64(0), reader.GetInt32(1), reader.GetFieldValue<byte[]>(2));
            }
        }

        if (any)
        {
            yield break;
        }

        await using var rows = Command(connection, "SELECT ordinal, entry FROM report_entries WHERE report_id = @id ORDER BY ordinal", ("@id", reportId));
        await using var rowReader = await rows.ExecuteReaderAsync(cancellationToken);
        while (await rowReader.ReadAsync(cancellationToken))
        {
            var entry = rowReader.GetFieldValue<byte[]>(1);
            var page = new byte[entry.Length + 5];
            var length = ReportPages.WriteVarint(page, entry.Length);
            entry.CopyTo(page, length);
            yield return new ReportPage(rowReader.GetInt64(0), 1, page[..(length + entry.Length)]);
        }
    }

    /// <summary>
    /// The pages holding ordinals after <paramref name="afterOrdinal"/>, up to the last one a page of
    /// <paramref name="wanted"/> entries needs: bounded on both sides by the key, so a page of a large report reads a few
    /// rows (PostgreSQL sends every row a query selects, even those a reader closed early never looks at).
    /// </summary>
    private static DbCommand PagesCommand(DbConnection connection, string reportId, long afterOrdinal, long wanted)
    {
        var from = afterOrdinal - ReportPages.MaxEntriesPerPage + 1;
        var through = wanted == long.MaxValue ? long.MaxValue : afterOrdinal + wanted;
        return Command(connection, """
            SELECT first_ordinal, entries FROM report_pages
            WHERE report_id = @id AND first_ordinal >= @from AND first_ordinal <= @through
              AND first_ordinal + entry_count > @after
            ORDER BY first_ordinal
            """, ("@id", reportId), ("@from", from), ("@through", through), ("@after", afterOrdinal));
    }

    /// <summary>A command with <c>@name</c> parameters, on either engine.</summary>
    internal static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
