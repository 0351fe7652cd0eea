using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// A batch of the bulk listing (<see cref="LicenseRows.ListingColumns"/>) read on SQLite with its column functions, one
/// native call per value, text as SQLite's own UTF-8 bytes. Microsoft.Data.Sqlite's reader checks each value's type and
/// the row's width before reading it (three native calls and their handle reference counts per value), which was over
/// half of the license server's time in a million-CAL report; SQLitePCL's column functions still count a reference on
/// the statement's handle per value (a third of what remained), so the values are read through
/// <see cref="SqliteColumnFunctions"/> on the handle's pointer, held once for the batch. The listing's columns are never
/// NULL (COALESCE), so nothing is lost by not asking; errors are still Microsoft.Data.Sqlite's <see cref="SqliteException"/>.
/// </summary>
internal static partial class SqliteListingRows
{
    /// <summary>How long a read waits for a lock held by a writer's checkpoint or recovery (Microsoft.Data.Sqlite's default command timeout).</summary>
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The engine's <see cref="ListingBatchRead"/>: the batch read at once, on the caller's thread.</summary>
    public static Task<(int Count, string? Last)> ReadAsync(DbConnection connection, string sql, IReadOnlyDictionary<string, object?> parameters,
        IListingRowSink rows, CancellationToken cancellationToken) =>
        Task.FromResult(Read((SqliteConnection)connection, sql, parameters, rows, cancellationToken));

    /// <summary>Hands each row to <paramref name="rows"/>; how many rows, and the last one's license id.</summary>
    public static (int Count, string? Last) Read(SqliteConnection connection, string sql, IReadOnlyDictionary<string, object?> parameters,
        IListingRowSink rows, CancellationToken cancellationToken)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
        using (statement)
        {
            foreach (var (name, value) in parameters)
            {
                Bind(statement, db, name, value);
            }

            var count = 0;
            var last = new LastLicenseId();
            var held = false;
            statement.DangerousAddRef(ref held);
            try
            {
                var row = new ListingRow<StatementColumns>(new StatementColumns(statement.DangerousGetHandle()));
                var rc = FirstStep(statement, db, cancellationToken);
                while (rc == raw.SQLITE_ROW)
                {
                    rows.Add(in row);
                    last.Keep(row.LicenseId);
                    count++;
                    rc = raw.sqlite3_step(statement);
                }

                Check(rc, db);
            }
            finally
            {
                if (held)
                {
                    statement.DangerousRelease();
                }
            }

            return (count, last.ToString());
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

    /// <summary>A value of the statement's current row (the statement's pointer, its handle held by the caller); text valid until the next step.</summary>
    private readonly unsafe struct StatementColumns(IntPtr statement) : IListingColumns
    {
        public ReadOnlySpan<byte> Utf8(int ordinal)
        {
            // The pointer first, then its length (SQLite's documented order: the length of the value as it now is).
            var text = SqliteColumnFunctions.sqlite3_column_blob(statement, ordinal);
            return new ReadOnlySpan<byte>((void*)text, SqliteColumnFunctions.sqlite3_column_bytes(statement, ordinal));
        }

        public int Int32(int ordinal) => SqliteColumnFunctions.sqlite3_column_int(statement, ordinal);

        public long Int64(int ordinal) => SqliteColumnFunctions.sqlite3_column_int64(statement, ordinal);
    }

    /// <summary>
    /// SQLite's column functions in the e_sqlite3 library SQLitePCL loads (the same native library, so the same
    /// statement), taking the statement's pointer instead of its SafeHandle.
    /// </summary>
    private static partial class SqliteColumnFunctions
    {
        private const string Library = "e_sqlite3";

        [LibraryImport(Library)]
        internal static partial IntPtr sqlite3_column_blob(IntPtr statement, int column);

        [LibraryImport(Library)]
        internal static partial int sqlite3_column_bytes(IntPtr statement, int column);

        [LibraryImport(Library)]
        internal static partial int sqlite3_column_int(IntPtr statement, int column);

        [LibraryImport(Library)]
        internal static partial long sqlite3_column_int64(IntPtr statement, int column);
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
