using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// Rows of one table gathered by a write group and sent as one INSERT over column arrays (<c>unnest ... WITH ORDINALITY</c>,
/// inserted in the order they were added, so identity columns number them in that order): a group's CALs, or its audit
/// events, cost one statement and one run of the table's statement triggers, with one SQL text whatever their number
/// (Npgsql prepares it once).
/// </summary>
internal sealed class PostgresRowBatch
{
    private readonly string[] _columns;
    private readonly NpgsqlDbType[] _types;
    private readonly string _sql;
    private readonly List<object?[]> _rows = [];

    /// <param name="columns">The table's columns, in the order of each row's values.</param>
    /// <param name="types">Each column's type: Text, Integer or Bigint (null allowed in every column the table allows it).</param>
    public PostgresRowBatch(string table, string[] columns, NpgsqlDbType[] types)
    {
        _columns = columns;
        _types = types;
        var list = string.Join(", ", columns);
        var arrays = string.Join(", ", columns.Select((_, i) => "@c" + i.ToString(CultureInfo.InvariantCulture)));
        _sql = $"INSERT INTO {table} ({list}) SELECT {list} FROM unnest({arrays}) WITH ORDINALITY AS u({list}, ordinal) ORDER BY ordinal";
    }

    public int Count => _rows.Count;

    public void Add(object?[] values) => _rows.Add(values);

    /// <summary>The INSERT of every row added since the last call, which it forgets.</summary>
    public NpgsqlBatchCommand Take()
    {
        var command = new NpgsqlBatchCommand(_sql);
        for (var c = 0; c < _columns.Length; c++)
        {
            command.Parameters.Add(new NpgsqlParameter("c" + c.ToString(CultureInfo.InvariantCulture), NpgsqlDbType.Array | _types[c])
            {
                Value = Column(c),
            });
        }

        _rows.Clear();
        return command;
    }

    private object Column(int c) => _types[c] switch
    {
        NpgsqlDbType.Text => _rows.ConvertAll(row => (string?)row[c]).ToArray(),
        NpgsqlDbType.Integer => _rows.ConvertAll(row => (int?)row[c]).ToArray(),
        NpgsqlDbType.Bigint => _rows.ConvertAll(row => (long?)row[c]).ToArray(),
        var other => throw new ArgumentOutOfRangeException(nameof(c), other, "Columns are Text, Integer or Bigint."),
    };
}
