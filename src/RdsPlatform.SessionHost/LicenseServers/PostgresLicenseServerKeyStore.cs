using Npgsql;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>The license servers' public keys in the gateway's PostgreSQL database, seen by every gateway replica.</summary>
public sealed class PostgresLicenseServerKeyStore(PostgresDatabase database, TimeProvider time) : ILicenseServerKeyStore
{
    public LicenseServerIdentity? Find(string address)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand(LicenseServerKeyColumns.Find, connection);
        command.Parameters.AddWithValue("address", address);
        using var reader = command.ExecuteReader();
        return reader.Read() ? LicenseServerKeyColumns.Read(reader) : null;
    }

    public void Save(string address, LicenseServerIdentity identity)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand(LicenseServerKeyColumns.Upsert, connection);
        command.Parameters.AddWithValue("address", address);
        command.Parameters.AddWithValue("id", identity.ServerId);
        command.Parameters.AddWithValue("key", identity.PublicKey);
        command.Parameters.AddWithValue("version", (int)identity.Version);
        command.Parameters.AddWithValue("scope", (int)identity.Scope);
        command.Parameters.AddWithValue("now", time.GetUtcNow().UtcTicks);
        command.ExecuteNonQuery();
    }
}
