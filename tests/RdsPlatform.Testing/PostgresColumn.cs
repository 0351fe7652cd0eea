using Npgsql;

namespace RdsPlatform.Testing;

/// <summary>One column of a query on a service's PostgreSQL database, read as an outside process would (a test checking what was stored).</summary>
public static class PostgresColumn
{
    public static async Task<List<T>> ReadAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }
}
