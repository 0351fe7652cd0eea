using Npgsql;
using RdsPlatform.LicenseServer.Application;

namespace RdsPlatform.LicenseServer.Replicas;

/// <summary>
/// The background-work lease of license-server replicas on one PostgreSQL database: a session advisory lock held on a
/// connection of its own for as long as the replica lives. PostgreSQL drops a session lock when its connection ends, so
/// a replica killed, stopped or cut off from the database frees the lease by itself and the next replica to ask gets it;
/// the holder checks its connection on each ask, so one that lost it (a terminated backend, a database restart) stops
/// the shared work at once instead of doing it beside the new holder.
/// </summary>
public sealed partial class PostgresLeaderLease(NpgsqlDataSource dataSource, ILogger<PostgresLeaderLease> logger) : ILeaderLease, IAsyncDisposable
{
    /// <summary>Distinct from the store's write and migration locks (a session lock here must never block a write).</summary>
    public const long LeaseKey = 0x5244_534C_6963_4C73; // "RDSLicLs"

    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _held;

    public bool IsHeld => Volatile.Read(ref _held) is not null;

    public async ValueTask<bool> TryHoldAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_held is not null && await StillHeldAsync(_held, cancellationToken))
            {
                return true;
            }

            await DropAsync();
            _held = await TryTakeAsync(cancellationToken);
            return _held is not null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await DropAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<NpgsqlConnection?> TryTakeAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", LeaseKey);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                LogTaken();
                return connection;
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LogUnreachable(ex);
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }

        return null;
    }

    /// <summary>The lock lives as long as its backend: a round trip on the same connection proves it still does.</summary>
    private async Task<bool> StillHeldAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            LogLost(ex);
            return false;
        }
    }

    /// <summary>Unlocks before the connection goes back to the pool, so a pooled connection never carries the lock on.</summary>
    private async Task DropAsync()
    {
        if (_held is not { } connection)
        {
            return;
        }

        _held = null;
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            command.Parameters.AddWithValue("key", LeaseKey);
            await command.ExecuteScalarAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection is gone, and the lock with its backend.
        }

        await connection.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This replica took the license server's background-work lease")]
    private partial void LogTaken();

    [LoggerMessage(Level = LogLevel.Warning, Message = "This replica lost the license server's background-work lease with its database connection; another replica takes it over")]
    private partial void LogLost(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The background-work lease could not be asked for; this replica does no shared background work until the database answers")]
    private partial void LogUnreachable(Exception exception);
}
