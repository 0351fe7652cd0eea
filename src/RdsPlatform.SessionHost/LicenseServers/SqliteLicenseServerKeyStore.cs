using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Hosts;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>The license servers' public keys in the gateway's SQLite file (<see cref="GatewayDatabase"/>).</summary>
public sealed class SqliteLicenseServerKeyStore(GatewayDatabase database, TimeProvider time) : ILicenseServerKeyStore
{
    public LicenseServerIdentity? Find(string address)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = LicenseServerKeyColumns.Find;
        command.Parameters.AddWithValue("@address", address);
        using var reader = command.ExecuteReader();
        return reader.Read() ? LicenseServerKeyColumns.Read(reader) : null;
    }

    public void Save(string address, LicenseServerIdentity identity)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = LicenseServerKeyColumns.Upsert;
        command.Parameters.AddWithValue("@address", address);
        command.Parameters.AddWithValue("@id", identity.ServerId);
        command.Parameters.AddWithValue("@key", identity.PublicKey);
        command.Parameters.AddWithValue("@version", (int)identity.Version);
        command.Parameters.AddWithValue("@scope", (int)identity.Scope);
        command.Parameters.AddWithValue("@now", time.GetUtcNow().UtcTicks);
        command.ExecuteNonQuery();
    }
}

/// <summary>The statements and the row mapping both engines share (the same SQL in SQLite's and PostgreSQL's dialect).</summary>
internal static class LicenseServerKeyColumns
{
    public const string Find = "SELECT server_id, public_key, version, scope FROM license_server_keys WHERE address = @address";

    public const string Upsert = """
        INSERT INTO license_server_keys (address, server_id, public_key, version, scope, seen_at)
        VALUES (@address, @id, @key, @version, @scope, @now)
        ON CONFLICT (address) DO UPDATE SET server_id = excluded.server_id, public_key = excluded.public_key,
            version = excluded.version, scope = excluded.scope, seen_at = excluded.seen_at
        """;

    public static LicenseServerIdentity Read(System.Data.Common.DbDataReader reader) =>
        new(reader.GetString(0), (byte[])reader[1], (ProductVersion)reader.GetInt32(2), (ServerScope)reader.GetInt32(3));
}
