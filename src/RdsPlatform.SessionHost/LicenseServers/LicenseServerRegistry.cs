using System.Collections.Concurrent;
using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.SessionHost.Grpc;
using RdsPlatform.ServiceDefaults.Mapping;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>One connection per license server address, created on first use and reused; calls go to a host's servers in order and the first that answers wins.</summary>
public sealed partial class LicenseServerRegistry(
    ILicenseServerChannelFactory channels,
    LicenseServerDirectory directory,
    LicenseServerKeyStore keys,
    IOptions<GatewayOptions> options,
    ILogger<LicenseServerRegistry> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, LicenseServerConnection> _byEntry = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, LicenseServerConnection> _byAddress = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<LicenseServerConnection> Known => _byAddress.Values;

    public LicenseServerConnection Get(string entry) => _byEntry.TryGetValue(entry, out var known) ? known : _byEntry.GetOrAdd(entry, Create);

    /// <summary>Options for one unary call: the configured deadline and the caller's cancellation.</summary>
    public CallOptions CallOptions(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + options.Value.LicenseServerTimeout, cancellationToken: cancellationToken);

    /// <summary>The server's identity, re-read when stale; the remembered one (possibly from the file) when the server does not answer.</summary>
    public async Task<LicenseServerIdentity?> EnsureIdentityAsync(LicenseServerConnection server, CancellationToken cancellationToken)
    {
        if (!server.IdentityIsStale(options.Value.ServerInfoRefresh) || server.IsSkipped)
        {
            return server.Identity;
        }

        await TryGetServerInfoAsync(server, cancellationToken);
        return server.Identity;
    }

    /// <summary>GetServerInfo, adopting the identity it returns; null when the server did not answer.</summary>
    public async Task<ServerInfo?> TryGetServerInfoAsync(LicenseServerConnection server, CancellationToken cancellationToken)
    {
        try
        {
            var response = await server.Client.GetServerInfoAsync(new GetServerInfoRequest(), CallOptions(cancellationToken));
            server.MarkUp();
            var info = response.Server;
            if (info is not null && !info.PublicKey.IsEmpty)
            {
                var identity = new LicenseServerIdentity(
                    info.ServerId,
                    info.PublicKey.ToByteArray(),
                    ContractMapping.ToCore(info.Version) ?? Licensing.ProductVersion.WindowsServer2016,
                    ContractMapping.ToCore(info.Scope) ?? Licensing.ServerScope.Domain);
                try
                {
                    var changed = server.Identity is not { } known || !known.PublicKey.AsSpan().SequenceEqual(identity.PublicKey)
                        || known.Version != identity.Version || known.Scope != identity.Scope;
                    server.Adopt(identity, refreshed: true);
                    if (changed)
                    {
                        keys.Save(server.Address, identity);
                    }
                }
                catch (ArgumentException ex)
                {
                    LogBadKey(server.Address, ex.Message);
                }
            }

            return info;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            NoteFailure(server, ex);
            return null;
        }
    }

    /// <summary>
    /// Calls the host's license servers in order until one answers; null when none did. A server that refuses the host
    /// (security group: PermissionDenied) or does not know the request counts as not answering for it, so the next one is tried.
    /// </summary>
    /// <param name="call">Returns null when the server answered but does not serve this host, so the next one is asked.</param>
    public async Task<LicenseServerReply<T>?> FirstAnswerAsync<T>(
        IReadOnlyList<string> entries,
        Func<LicenseServerConnection, CallOptions, Task<T?>> call,
        CancellationToken cancellationToken)
        where T : class
    {
        foreach (var entry in entries)
        {
            var server = Get(entry);
            if (server.IsSkipped)
            {
                continue;
            }

            if (server.Identity is null || server.IdentityIsStale(options.Value.ServerInfoRefresh))
            {
                await TryGetServerInfoAsync(server, cancellationToken);
                if (server.Identity is null)
                {
                    continue;
                }
            }

            try
            {
                var response = await call(server, CallOptions(cancellationToken));
                server.MarkUp();
                if (response is not null)
                {
                    return new LicenseServerReply<T>(server, response);
                }
            }
            catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
            {
                NoteFailure(server, ex);
            }
        }

        return null;
    }

    public void Dispose()
    {
        foreach (var server in _byAddress.Values)
        {
            server.Dispose();
        }
    }

    private LicenseServerConnection Create(string entry)
    {
        var address = directory.Resolve(entry);
        return _byAddress.GetOrAdd(address.AbsoluteUri, key =>
        {
            var server = new LicenseServerConnection(key, channels.Create(address), options.Value.LicenseServerApiKey,
                Math.Max(1, options.Value.TokenCacheCapacity));
            try
            {
                if (keys.Find(key) is { } remembered)
                {
                    server.Adopt(remembered, refreshed: false);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                LogBadKey(key, ex.Message);
            }

            return server;
        });
    }

    private void NoteFailure(LicenseServerConnection server, RpcException ex)
    {
        if (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Internal or StatusCode.Unknown)
        {
            if (server.IsAnswering)
            {
                LogUnreachable(server.Address, ex.StatusCode, ex.Status.Detail);
            }

            server.MarkDown(options.Value.LicenseServerRetryAfter);
        }
        else
        {
            // PermissionDenied (security group, or a key for other hosts) and Unauthenticated mean this server refused the host: the next one is tried.
            server.LastRefusal = ex;
            LogRefused(server.Address, ex.StatusCode, ex.Status.Detail);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "License server {Address} did not answer ({StatusCode}: {Detail}); trying the next one")]
    private partial void LogUnreachable(string address, StatusCode statusCode, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "License server {Address} refused the call ({StatusCode}: {Detail}); trying the next one")]
    private partial void LogRefused(string address, StatusCode statusCode, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "License server {Address} published a public key the gateway cannot use: {Error}")]
    private partial void LogBadKey(string address, string error);
}

/// <summary>The answer of the first license server that answered.</summary>
public sealed record LicenseServerReply<T>(LicenseServerConnection Server, T Response);
