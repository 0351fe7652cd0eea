using Microsoft.Data.Sqlite;
using RdsPlatform.LicenseServer.Storage;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// Short connections of their own to the license database for the alert tables (webhooks, deliveries, alert state):
/// these writes are rare and never part of a licensing decision, so they stay out of the license writer's group commits.
/// </summary>
public sealed class AlertDatabase(ILicenseStore licenses)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = ((SqliteLicenseStore)licenses).DatabasePath,
        Mode = SqliteOpenMode.ReadWrite,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
