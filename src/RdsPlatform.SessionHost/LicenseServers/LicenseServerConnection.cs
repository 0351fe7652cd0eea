// One license server address as the gateway holds it: channel, client, identity, circuit breaker.
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.Licensing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>One license server address: its channel and client (reused by every call), its identity and verifier, its circuit breaker and whether it is answering.</summary>
public sealed class LicenseServerConnection : IDisposable
{
    private readonly Func<GrpcChannel> _connect;
    private readonly string? _apiKey;
    private volatile Link _link;
    private volatile KeyState? _keys;
    private long _refreshedAt = long.MinValue;
    private volatile bool _refreshRequested;
    private readonly int _verifiedCapacity;

    /// <param name="verifiedCapacity">Most verified certificates the verifier remembers (a second level behind the token states).</param>
    /// <param name="connect">Opens a channel to the address: once at first, and again by <see cref="Reconnect"/>.</param>
    public LicenseServerConnection(string address, Func<GrpcChannel> connect, string? apiKey, LicenseServerCircuit circuit, int verifiedCapacity = 50_000)
    {
        _verifiedCapacity = verifiedCapacity;
        Address = address;
        _connect = connect;
        _apiKey = apiKey;
        _link = Open(0);
        Circuit = circuit;
    }

    public string Address { get; }

    public LicenseServerClient Client => _link.Client;

    /// <summary>Which channel calls go over now; a caller notes it before a call so that only one of many failed calls reconnects.</summary>
    public int Generation => _link.Generation;

    public LicenseServerIdentity? Identity => _keys?.Identity;

    /// <summary>Verifies this server's certificates (signature cache inside); null until its public key is known.</summary>
    public CertificateVerifier? Verifier => _keys?.Verifier;

    /// <summary>Calls go through it: a server that stops answering is skipped for a while.</summary>
    public LicenseServerCircuit Circuit { get; }

    /// <summary>True while the server is skipped after an outage.</summary>
    public bool IsSkipped => Circuit.IsOpen;

    /// <summary>False from a call that found the server down until one it answers (the reachability metric and the logs).</summary>
    public bool IsAnswering { get; private set; } = true;

    /// <summary>The last refusal (authentication, permission, security group) this server gave the gateway; null after a call it served.</summary>
    public global::Grpc.Core.RpcException? LastRefusal { get; set; }

    public bool IdentityIsStale(TimeSpan refresh) => _keys is null || _refreshRequested || Environment.TickCount64 - Interlocked.Read(ref _refreshedAt) > refresh.TotalMilliseconds;

    /// <summary>The identity (and public key) is re-read before the next call, e.g. after a certificate did not verify.</summary>
    public void RefreshIdentitySoon() => _refreshRequested = true;

    public void MarkDown() => IsAnswering = false;

    public void MarkUp()
    {
        IsAnswering = true;
        LastRefusal = null;
    }

    /// <summary>Takes the server's identity; a new public key replaces the verifier (and its cache).</summary>
    /// <param name="refreshed">False when the identity only comes from the gateway's file, so it is re-read as soon as the server answers.</param>
    public void Adopt(LicenseServerIdentity identity, bool refreshed)
    {
        var current = _keys;
        if (current is null || !current.Identity.PublicKey.AsSpan().SequenceEqual(identity.PublicKey))
        {
            _keys = new KeyState(identity, new CertificateVerifier(identity.PublicKey, _verifiedCapacity));
        }
        else
        {
            _keys = current with { Identity = identity };
        }

        if (refreshed)
        {
            _refreshRequested = false;
            Interlocked.Exchange(ref _refreshedAt, Environment.TickCount64);
        }
    }

    /// <summary>
    /// Replaces the channel with a new one (new connections) unless another call already did since <paramref name="failedGeneration"/>.
    /// Behind one balanced address the new connection can land on a live replica. The old channel is disposed after
    /// <paramref name="drain"/> (a call deadline), so calls still running on it are not cut off by the swap.
    /// </summary>
    public void Reconnect(int failedGeneration, TimeSpan drain)
    {
        var current = _link;
        if (current.Generation != failedGeneration)
        {
            return;
        }

        var fresh = Open(failedGeneration + 1);
#pragma warning disable CS0420 // Interlocked treats the volatile field as volatile.
        if (Interlocked.CompareExchange(ref _link, fresh, current) != current)
#pragma warning restore CS0420
        {
            fresh.Channel.Dispose();
            return;
        }

        _ = Task.Delay(drain).ContinueWith(static (_, old) => ((GrpcChannel)old!).Dispose(), current.Channel, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _keys?.Verifier.Dispose();
        _link.Channel.Dispose();
    }

    private Link Open(int generation)
    {
        var channel = _connect();
        // Every call carries the gateway's key, whichever call site makes it.
        return new Link(channel, new LicenseServerClient(channel.Intercept(new BearerKeyInterceptor(_apiKey))), generation);
    }

    private sealed record Link(GrpcChannel Channel, LicenseServerClient Client, int Generation);

    private sealed record KeyState(LicenseServerIdentity Identity, CertificateVerifier Verifier);
}
