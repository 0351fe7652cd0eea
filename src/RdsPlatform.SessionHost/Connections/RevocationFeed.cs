using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.ServiceDefaults;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// Follows revocations: tails every known license server's audit trail for LICENSE_REVOKED (remembering the cursor) and puts
/// the revoked ids into the <see cref="RevocationList"/>, which shares them with the other replicas and hears theirs.
/// </summary>
public sealed partial class RevocationFeed(
    SessionHostStore hosts,
    LicenseServerRegistry servers,
    RevocationList revocations,
    IOptions<GatewayOptions> options,
    ILogger<RevocationFeed> logger) : BackgroundService
{
    private const int PageSize = 1000;
    private readonly ConcurrentDictionary<string, long> _cursors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads new revocations from every license server once.</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        foreach (var host in hosts.All)
        {
            foreach (var entry in host.LicenseServers)
            {
                servers.Get(entry);
            }
        }

        foreach (var server in servers.Known.ToList())
        {
            if (server.IsSkipped)
            {
                continue;
            }

            await PollServerAsync(server, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await revocations.LoadSharedAsync(stoppingToken);
        // Operational time, not licensing time: the interval must pass even when the licensing clock is simulated.
        using var timer = new PeriodicTimer(options.Value.RevocationPollInterval);
        do
        {
            try
            {
                await PollAsync(stoppingToken);
            }
            catch (Exception ex) when (ex.FailsOnlyTheRound(stoppingToken))
            {
                LogPollFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task PollServerAsync(LicenseServerConnection server, CancellationToken cancellationToken)
    {
        var cursor = _cursors.GetValueOrDefault(server.Address);
        var request = new GetAuditTrailRequest { AfterSequence = cursor, Limit = PageSize, Types_ = { AuditEventType.LicenseRevoked } };
        try
        {
            // A poll every RevocationPollInterval is not a request anyone made: no trace here or at the license server.
            using var untraced = BackgroundCalls.Untraced();
            using var call = server.Client.GetAuditTrail(request, BackgroundCalls.Headers("revocation-feed"),
                deadline: DateTime.UtcNow + options.Value.LicenseServerTimeout * 2, cancellationToken: cancellationToken);
            await foreach (var audit in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (audit.Type == AuditEventType.LicenseRevoked && Guid.TryParse(audit.LicenseId, out var licenseId))
                {
                    if (!revocations.IsRevoked(licenseId))
                    {
                        LogRevocationLearned(licenseId, server.Address);
                    }

                    revocations.Add(licenseId);
                }

                cursor = Math.Max(cursor, audit.Sequence);
            }
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The next poll resumes from the cursor reached so far.
            LogTailFailed(server.Address, ex.StatusCode);
        }

        _cursors[server.Address] = cursor;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "License {LicenseId} was revoked on {Address}; its certificate is refused from now on")]
    private partial void LogRevocationLearned(Guid licenseId, string address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not read the audit trail of {Address} ({StatusCode}); retrying at the next poll")]
    private partial void LogTailFailed(string address, StatusCode statusCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Revocation poll failed")]
    private partial void LogPollFailed(Exception ex);
}
