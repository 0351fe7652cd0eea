using System.Data.Common;
using Microsoft.Data.Sqlite;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// Short connections of their own to the license database for the alert tables (webhooks, deliveries, alert state):
/// these writes are rare and never part of a licensing decision, so they stay out of the license writer's group commits.
/// The tables are the same on both engines (schema versions 3 and 4, same columns and types), so <see cref="WebhookStore"/>
/// and <see cref="AlertStateStore"/> are written once in the SQL both speak; the engine is how a connection opens.
/// </summary>
public abstract class AlertDatabase
{
    public abstract DbConnection Open();

    /// <summary>
    /// True when other replicas share the tables, so a delivery row is claimed with a row lock before it is sent
    /// (<see cref="WebhookStore.Claim"/>); SQLite's one process needs no claim.
    /// </summary>
    public virtual bool SharedByReplicas => false;
}

/// <summary>The alert tables in the license server's SQLite file, opened read-write (the license store creates and migrates it).</summary>
public sealed class SqliteAlertDatabase(string databasePath) : AlertDatabase
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWrite,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public override DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}

/// <summary>
/// The alert tables in the license server's PostgreSQL database, through its pooled data source (the <c>licensing</c>
/// connection), shared by every replica; no connection before the schema is migrated.
/// </summary>
public sealed class PostgresAlertDatabase(PostgresDatabase database) : AlertDatabase
{
    public override DbConnection Open() => database.Open();

    public override bool SharedByReplicas => true;
}
