using System.Text;
using Microsoft.Data.Sqlite;
using RdsPlatform.Licensing;
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
                var license = Row(statement);
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

    /// <summary>A row of <see cref="LicenseRows.ListingColumns"/>, in the order <see cref="LicenseRows.ReadListed"/> reads it.</summary>
    private static ListedLicense Row(sqlite3_stmt s) => new(
        Text(s, 0),
        Text(s, 5),
        (CalType)raw.sqlite3_column_int(s, 1),
        (ProductVersion)raw.sqlite3_column_int(s, 2),
        Text(s, 3),
        (CalStatus)raw.sqlite3_column_int(s, 4),
        LicenseRows.Time(raw.sqlite3_column_int64(s, 6)),
        LicenseRows.Time(raw.sqlite3_column_int64(s, 7)),
        raw.sqlite3_column_int64(s, 8) != 0,
        LicenseRows.OptionalTime(raw.sqlite3_column_int64(s, 9)),
        LicenseRows.OptionalTime(raw.sqlite3_column_int64(s, 10)),
        Text(s, 11),
        Text(s, 12),
        Text(s, 13),
        Text(s, 14));

    /// <summary>A TEXT value: its UTF-8 bytes as SQLite holds them (the database's encoding), decoded once.</summary>
    private static string Text(sqlite3_stmt s, int column)
    {
        var bytes = raw.sqlite3_column_blob(s, column);
        return bytes.IsEmpty ? string.Empty : Encoding.UTF8.GetString(bytes);
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
