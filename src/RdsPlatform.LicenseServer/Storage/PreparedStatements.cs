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

    /// <summary>
    /// The prepared command for <paramref name="sql"/> with <paramref name="parameters"/> bound: the parameters are made
    /// the first time and only their values set afterwards. A replaced parameter list is not noticed by Npgsql once it has
    /// prepared the command (npgsql/npgsql#3850): it would run with the old list's values. One SQL text always names the
    /// same parameters; a call naming others is refused. Not to be disposed.
    /// </summary>
    public DbCommand Get(string sql, DbTransaction transaction, IReadOnlyDictionary<string, object?> parameters)
    {
        var command = Get(sql, transaction);
        if (command.Parameters.Count == 0)
        {
            foreach (var (name, value) in parameters)
            {
                command.Parameters.Add(LicenseRows.Parameter(command, name, value));
            }

            return command;
        }

        if (command.Parameters.Count != parameters.Count)
        {
            throw new InvalidOperationException($"The statement was prepared with {command.Parameters.Count} parameters and is now given {parameters.Count}: {sql}");
        }

        foreach (var (name, value) in parameters)
        {
            // The indexer throws for a name the statement was not prepared with.
            command.Parameters["@" + name].Value = value ?? DBNull.Value;
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
