using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// R12: a Per User user the gateway admits as not tracked is decided without the license server, yet its audit trail (and
/// the Per User report read from it) must list the user as Not Tracking. Connect hands each such admission over here without
/// any I/O; a background loop writes it to an outbox table in <c>session-host.db</c> and delivers it as the RequestLicense
/// the license server answers PER_USER_NOT_TRACKED and audits. While no license server answers, the rows wait in the file
/// (across restarts) and are retried every <see cref="GatewayOptions.NotTrackedRetryInterval"/>; the admission never waits.
/// </summary>
public sealed partial class NotTrackedSignInOutbox(
    GatewayDatabase database,
    SessionHostStore hosts,
    LicenseServerRegistry servers,
    IOptions<GatewayOptions> options,
    ILogger<NotTrackedSignInOutbox> logger) : BackgroundService
{
    /// <summary>Admissions not yet written to the file; beyond it the writer is far behind and new ones are dropped (and logged).</summary>
    private const int PendingCapacity = 10_000;

    private const int DeliveryBatch = 100;

    private readonly Channel<ConnectAttempt> _pending = Channel.CreateBounded<ConnectAttempt>(
        new BoundedChannelOptions(PendingCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Queues a not-tracked admission for the license server's audit trail; never blocks, never fails the admission.</summary>
    public void Add(ConnectAttempt attempt)
    {
        if (!_pending.Writer.TryWrite(attempt with { Presented = default }))
        {
            LogDropped(attempt.HostId, attempt.UserName, PendingCapacity);
        }
    }

    /// <summary>How many admissions wait in the file for a license server.</summary>
    public int Waiting()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM not_tracked_sign_ins";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var arrived = _pending.Reader.WaitToReadAsync(stoppingToken).AsTask();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    Persist();
                    await DeliverAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogDeliveryFailed(ex);
                }

                // Woken by a new admission, else retried after the interval (operational time: it must pass under a simulated clock).
                if (arrived.IsCompleted)
                {
                    arrived = _pending.Reader.WaitToReadAsync(stoppingToken).AsTask();
                }

                await Task.WhenAny(arrived, Task.Delay(options.Value.NotTrackedRetryInterval, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still in memory goes to the file below, and is delivered after the next start.
        }
        finally
        {
            Persist();
        }
    }

    /// <summary>Moves every queued admission into the outbox table in one transaction (one fsync however many).</summary>
    private void Persist()
    {
        if (!_pending.Reader.TryPeek(out _))
        {
            return;
        }

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO not_tracked_sign_ins (host_id, user_domain, user_name, hardware_id, computer_name, queued_at)
            VALUES ($host, $domain, $user, $hardware, $computer, $at)
            """;
        var host = command.Parameters.Add("$host", SqliteType.Text);
        var domain = command.Parameters.Add("$domain", SqliteType.Text);
        var user = command.Parameters.Add("$user", SqliteType.Text);
        var hardware = command.Parameters.Add("$hardware", SqliteType.Text);
        var computer = command.Parameters.Add("$computer", SqliteType.Text);
        command.Parameters.AddWithValue("$at", DateTime.UtcNow.Ticks);
        while (_pending.Reader.TryRead(out var attempt))
        {
            host.Value = attempt.HostId;
            domain.Value = attempt.UserDomain;
            user.Value = attempt.UserName;
            hardware.Value = attempt.HardwareId;
            computer.Value = attempt.ComputerName;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>
    /// Delivers waiting admissions oldest first. One whose host's license servers do not answer waits for the next round; one
    /// every answering server refused (security group, R18: the server audited that refusal itself) is dropped.
    /// </summary>
    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        for (var after = 0L; Load(after) is { Count: > 0 } batch; after = batch[^1].Id)
        {
            foreach (var (id, attempt) in batch)
            {
                var refused = false;
                if (hosts.Find(attempt.HostId) is { } host)
                {
                    var request = ConnectionGateway.LicenseRequest(host, CalType.PerUser, attempt);
                    var reply = await servers.FirstAnswerAsync(host.LicenseServers, async (server, callOptions) =>
                    {
                        try
                        {
                            return await server.Client.RequestLicenseAsync(request, callOptions).ResponseAsync;
                        }
                        catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.InvalidArgument)
                        {
                            refused = true;
                            return null;
                        }
                    }, cancellationToken);
                    if (reply is null && !refused)
                    {
                        LogWaiting(attempt.HostId);
                        continue;
                    }
                }

                Delete(id);
            }
        }
    }

    private List<(long Id, ConnectAttempt Attempt)> Load(long after)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, host_id, user_domain, user_name, hardware_id, computer_name FROM not_tracked_sign_ins WHERE id > $after ORDER BY id LIMIT {DeliveryBatch}";
        command.Parameters.AddWithValue("$after", after);
        using var reader = command.ExecuteReader();
        var batch = new List<(long, ConnectAttempt)>();
        while (reader.Read())
        {
            batch.Add((reader.GetInt64(0),
                new ConnectAttempt(reader.GetString(1), reader.GetString(4), reader.GetString(5), reader.GetString(2), reader.GetString(3), default)));
        }

        return batch;
    }

    private void Delete(long id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM not_tracked_sign_ins WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.ExecuteNonQuery();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not-tracked sign-in of {UserName} on {HostId} was not queued for the license server: {Capacity} are already waiting")]
    private partial void LogDropped(string hostId, string userName, int capacity);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No license server of {HostId} answered; not-tracked sign-ins wait in the outbox")]
    private partial void LogWaiting(string hostId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering not-tracked sign-ins to the license server failed; retrying")]
    private partial void LogDeliveryFailed(Exception ex);
}
