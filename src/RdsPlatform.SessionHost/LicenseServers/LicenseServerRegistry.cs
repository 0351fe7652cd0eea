using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.ServiceDefaults.Mapping;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>One connection per license server address, created on first use and reused; calls go to a host's servers in order, each through its circuit breaker, and the first that answers wins.</summary>
public sealed partial class LicenseServerRegistry(
    ILicenseServerChannelFactory channels,
    LicenseServerDirectory directory,
    ILicenseServerKeyStore keys,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<LicenseServerRegistry> logger) : IDisposable
{
    // For a diagnosis of a skipped server: a circuit that never opens, so the call is made.
    private readonly LicenseServerCircuit _unguarded = new(TimeSpan.Zero, time);

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

    /// <summary>GetServerInfo through the server's circuit, adopting the identity it returns; null when the server did not answer or is skipped.</summary>
    public Task<ServerInfo?> TryGetServerInfoAsync(LicenseServerConnection server, CancellationToken cancellationToken) =>
        ReadServerInfoAsync(server, server.Circuit, cancellationToken);

    /// <summary>
    /// GetServerInfo for a diagnosis: an administrator asked, so a skipped server is asked too (past its open circuit, which
    /// its next call closes); null when it did not answer.
    /// </summary>
    public Task<ServerInfo?> ProbeServerInfoAsync(LicenseServerConnection server, CancellationToken cancellationToken) =>
        ReadServerInfoAsync(server, server.IsSkipped ? _unguarded : server.Circuit, cancellationToken);

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

            var result = await server.Circuit.CallAsync(
                static (args, token) => args.registry.CallReconnectingOnceAsync(args.server, args.call, token), (call, server, registry: this), cancellationToken);
            if (Answered(server, result, cancellationToken) && result.Response is { } response)
            {
                return new LicenseServerReply<T>(server, response);
            }
        }

        return null;
    }

    /// <summary>
    /// Makes <paramref name="call"/>, and when it failed because the connection broke (see <see cref="ConnectionBroke"/>) makes
    /// it once more at once on a fresh connection, within the same deadline, before the circuit breaker counts the failure.
    /// Behind one balanced address (a proxy in front of several replicas) the fresh connection lands on a live replica, so
    /// the death of the one behind the old connection does not open the circuit and turn new devices away.
    /// The retry may repeat a call the dead replica already committed, which is safe for every call made through here
    /// (docs/license-server.md): RequestLicense gives the same device (or user) its existing CAL back for the same version,
    /// never a second one; RenewLicense only extends a CAL within 7 days of its expiry, which a second renewal no longer is;
    /// MarkLicenseValidated is idempotent; RecordGatewayAlert records each alert id once; GetServerInfo only reads; a
    /// repeated not-tracked Per User request issues nothing (at most its ISSUANCE_FAILED audit event is written twice).
    /// </summary>
    private async Task<T> CallReconnectingOnceAsync<T>(LicenseServerConnection server, Func<LicenseServerConnection, CallOptions, Task<T>> call,
        CancellationToken cancellationToken)
    {
        var callOptions = CallOptions(cancellationToken);
        var generation = server.Generation;
        try
        {
            return await call(server, callOptions);
        }
        catch (RpcException failure) when (ConnectionBroke(failure, cancellationToken) && callOptions.Deadline > DateTime.UtcNow)
        {
            LogReconnecting(server.Address, failure.Status.Detail);
            server.Reconnect(generation, options.Value.LicenseServerTimeout);
            // The same deadline: the retry only has what the first attempt left of the budget.
            return await call(server, callOptions);
        }
    }

    /// <summary>
    /// Unavailable raised by the client for a broken transport (a dead peer: connection refused or reset; the status carries
    /// the transport exception), as opposed to a status the server sent, a refusal, a deadline or the caller giving up.
    /// </summary>
    internal static bool ConnectionBroke(RpcException failure, CancellationToken callerToken) => !callerToken.IsCancellationRequested
        && failure.StatusCode == StatusCode.Unavailable && failure.Status.DebugException is not null;

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
            var server = new LicenseServerConnection(key, () => channels.Create(address), options.Value.LicenseServerApiKey,
                new LicenseServerCircuit(options.Value.LicenseServerRetryAfter, time), options.Value.TokenCacheCapacity);
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

    private async Task<ServerInfo?> ReadServerInfoAsync(LicenseServerConnection server, LicenseServerCircuit circuit, CancellationToken cancellationToken)
    {
        var result = await circuit.CallAsync(
            static (args, token) => args.registry.CallReconnectingOnceAsync(args.server,
                static (server, callOptions) => server.Client.GetServerInfoAsync(new GetServerInfoRequest(), callOptions).ResponseAsync, token),
            (server, registry: this), cancellationToken);
        if (!Answered(server, result, cancellationToken))
        {
            return null;
        }

        var info = result.Response!.Server;
        if (info is not null && !info.PublicKey.IsEmpty)
        {
            Adopt(server, info);
        }

        return info;
    }

    private void Adopt(LicenseServerConnection server, ServerInfo info)
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

    /// <summary>True when the server answered the call; a failure is noted (outage or refusal), a caller's cancellation thrown.</summary>
    private bool Answered<T>(LicenseServerConnection server, CircuitCall<T> result, CancellationToken cancellationToken)
    {
        if (result.Skipped)
        {
            return false;
        }

        if (result.Failure is not { } failure)
        {
            server.MarkUp();
            return true;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        if (LicenseServerCircuit.IsOutage(failure, cancellationToken))
        {
            if (server.IsAnswering)
            {
                LogUnreachable(server.Address, failure.StatusCode, failure.Status.Detail);
            }

            server.MarkDown();
        }
        else
        {
            // PermissionDenied (security group, or a key for other hosts) and Unauthenticated mean this server refused the host: the next one is tried.
            server.LastRefusal = failure;
            LogRefused(server.Address, failure.StatusCode, failure.Status.Detail);
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "License server {Address} did not answer ({StatusCode}: {Detail}); trying the next one")]
    private partial void LogUnreachable(string address, StatusCode statusCode, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "The connection to license server {Address} broke ({Detail}); retrying once on a fresh connection")]
    private partial void LogReconnecting(string address, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "License server {Address} refused the call ({StatusCode}: {Detail}); trying the next one")]
    private partial void LogRefused(string address, StatusCode statusCode, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "License server {Address} published a public key the gateway cannot use: {Error}")]
    private partial void LogBadKey(string address, string error);
}

/// <summary>The answer of the first license server that answered.</summary>
public sealed record LicenseServerReply<T>(LicenseServerConnection Server, T Response);
