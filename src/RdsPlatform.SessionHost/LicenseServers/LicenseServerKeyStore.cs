// Remembering each license server's identity and public key in the gateway's file.
using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Hosts;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>What the gateway remembers of a license server so that certificates verify even while it is down.</summary>
public sealed record LicenseServerIdentity(string ServerId, byte[] PublicKey, ProductVersion Version, ServerScope Scope);

/// <summary>Persists each license server's identity and public key in the gateway's SQLite file.</summary>
public sealed class LicenseServerKeyStore(GatewayDatabase database, TimeProvider time)
{
    public LicenseServerIdentity? Find(string address)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT server_id, public_key, version, scope FROM license_server_keys WHERE address = $address";
        command.Parameters.AddWithValue("$address", address);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new LicenseServerIdentity(reader.GetString(0), (byte[])reader[1], (ProductVersion)reader.GetInt32(2), (ServerScope)reader.GetInt32(3))
            : null;
    }

    public void Save(string address, LicenseServerIdentity identity)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO license_server_keys (address, server_id, public_key, version, scope, seen_at)
            VALUES ($address, $id, $key, $version, $scope, $now)
            ON CONFLICT(address) DO UPDATE SET server_id = excluded.server_id, public_key = excluded.public_key,
                version = excluded.version, scope = excluded.scope, seen_at = excluded.seen_at;
            """;
        command.Parameters.AddWithValue("$address", address);
        command.Parameters.AddWithValue("$id", identity.ServerId);
        command.Parameters.AddWithValue("$key", identity.PublicKey);
        command.Parameters.AddWithValue("$version", (int)identity.Version);
        command.Parameters.AddWithValue("$scope", (int)identity.Scope);
        command.Parameters.AddWithValue("$now", time.GetUtcNow().UtcTicks);
        command.ExecuteNonQuery();
    }
}
