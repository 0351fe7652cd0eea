using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// A batch of the bulk listing (<see cref="LicenseRows.ListingColumns"/>) read on SQLite with SQLitePCL's column functions,
/// one native call per value. Microsoft.Data.Sqlite's reader checks each value's type and the row's width before
/// reading it (three native calls and their handle reference counts per value), which was over half of the license
/// server's time in a million-CAL report. The listing's columns are never NULL (COALESCE), so nothing is lost by not
/// asking; errors are still Microsoft.Data.Sqlite's <see cref="SqliteException"/>.
/// </summary>
internal static class SqliteListingRows
{
    /// <summary>How long a read waits for a lock held by a writer's checkpoint or recovery (Microsoft.Data.Sqlite's default command timeout).</summary>
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    public static (List<T> Batch, string? Last) Read<T>(SqliteConnection connection, string sql, IReadOnlyDictionary<string, object?> parameters,
        ListingMap<T> map, int capacity, CancellationToken cancellationToken)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
        using (statement)
        {
            foreach (var (name, value) in parameters)
            {
                Bind(statement, db, name, value);
            }

            var batch = new List<T>(capacity);
            string? last = null;
            var rc = FirstStep(statement, db, cancellationToken);
            while (rc == raw.SQLITE_ROW)
            {
                var license = LicenseRows.ReadListed(new StatementColumns(statement));
                last = license.LicenseId;
                batch.Add(map(in license));
                rc = raw.sqlite3_step(statement);
            }

            Check(rc, db);
            return (batch, last);
        }
    }

    /// <summary>The first step, retried while another connection holds a lock the read must wait for (as SqliteCommand retries).</summary>
    private static int FirstStep(sqlite3_stmt statement, sqlite3 db, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)BusyTimeout.TotalMilliseconds;
        var rc = raw.sqlite3_step(statement);
        while (rc is raw.SQLITE_BUSY or raw.SQLITE_LOCKED && Environment.TickCount64 < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            raw.sqlite3_reset(statement);
            Thread.Sleep(10);
            rc = raw.sqlite3_step(statement);
        }

        return rc;
    }

    private static void Bind(sqlite3_stmt statement, sqlite3 db, string name, object? value)
    {
        var index = raw.sqlite3_bind_parameter_index(statement, "@" + name);
        if (index == 0)
        {
            return; // not in this query's text (SqliteCommand ignores such parameters too)
        }

        Check(value switch
        {
            null => raw.sqlite3_bind_null(statement, index),
            long number => raw.sqlite3_bind_int64(statement, index, number),
            int number => raw.sqlite3_bind_int64(statement, index, number),
            string text => raw.sqlite3_bind_text(statement, index, text),
            _ => throw new ArgumentException($"The listing parameter @{name} has a type ({value.GetType().Name}) the listing does not bind.", nameof(value)),
        }, db);
    }

    /// <summary>A value of the statement's current row; text as SQLite's UTF-8 bytes (the database's encoding), decoded once.</summary>
    private readonly struct StatementColumns(sqlite3_stmt statement) : IListingColumns
    {
        public string Text(int ordinal)
        {
            var bytes = raw.sqlite3_column_blob(statement, ordinal);
            return bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
        }

        public int Int32(int ordinal) => raw.sqlite3_column_int(statement, ordinal);

        public long Int64(int ordinal) => raw.sqlite3_column_int64(statement, ordinal);
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
