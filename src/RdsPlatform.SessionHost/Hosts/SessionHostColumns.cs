using System.Data.Common;
using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.Hosts;

/// <summary>How both engines' session_hosts rows map to settings (same columns, same order, same encodings).</summary>
internal static class SessionHostColumns
{
    public const string Select = "host_id, version, mode, license_servers, prevent_upgrade, grace_started_at, configured_at";

    public static string JoinServers(IReadOnlyList<string> servers) => string.Join('\n', servers);

    public static List<SessionHostSettings> ReadAll(DbDataReader reader)
    {
        var hosts = new List<SessionHostSettings>();
        while (reader.Read())
        {
            hosts.Add(Read(reader));
        }

        return hosts;
    }

    /// <summary>prevent_upgrade is an integer in SQLite and a boolean in PostgreSQL; Convert reads both.</summary>
    public static SessionHostSettings Read(DbDataReader reader)
    {
        var servers = reader.GetString(3);
        return new SessionHostSettings(
            reader.GetString(0),
            (ProductVersion)reader.GetInt32(1),
            (LicensingMode)reader.GetInt32(2),
            servers.Length == 0 ? [] : servers.Split('\n'),
            Convert.ToBoolean(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture),
            new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
            new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero));
    }
}
