using System.Data.Common;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// The writer connection's commands, each made once and reused for every later write: SQLite parses and plans a
/// statement the first time only (a new command per use re-parses it, which showed in profiles of RequestLicense), and
/// Npgsql reuses the command's parsed text. Owned by one writer loop, so never used from two threads; disposed with its connection.
/// </summary>
internal sealed class PreparedStatements(DbConnection connection) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    public DbConnection Connection => connection;

    /// <summary>The prepared command for <paramref name="sql"/> in <paramref name="transaction"/>, parameters as the caller last left them. Not to be disposed.</summary>
    public DbCommand Get(string sql, DbTransaction transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Transaction = transaction;
        return command;
    }

    /// <summary>The prepared command for <paramref name="sql"/> with exactly <paramref name="parameters"/> bound. Not to be disposed.</summary>
    public DbCommand Get(string sql, DbTransaction transaction, IReadOnlyDictionary<string, object?> parameters)
    {
        var command = Get(sql, transaction);
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(LicenseRows.Parameter(command, name, value));
        }

        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        connection.Dispose();
    }
}
