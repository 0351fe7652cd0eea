using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.Licensing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>One license server address: its channel and client (reused by every call), its identity and verifier, its circuit breaker and whether it is answering.</summary>
public sealed class LicenseServerConnection : IDisposable
{
    private readonly GrpcChannel _channel;
    private volatile KeyState? _keys;
    private long _refreshedAt = long.MinValue;
    private volatile bool _refreshRequested;
    private readonly int _verifiedCapacity;

    /// <param name="verifiedCapacity">Most verified certificates the verifier remembers (a second level behind the token states).</param>
    public LicenseServerConnection(string address, GrpcChannel channel, string? apiKey, LicenseServerCircuit circuit, int verifiedCapacity = 50_000)
    {
        _verifiedCapacity = verifiedCapacity;
        Address = address;
        _channel = channel;
        Circuit = circuit;
        // Every call carries the gateway's key, whichever call site makes it.
        Client = new LicenseServerClient(channel.Intercept(new BearerKeyInterceptor(apiKey)));
    }

    public string Address { get; }

    public LicenseServerClient Client { get; }

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

    public void Dispose()
    {
        _keys?.Verifier.Dispose();
        _channel.Dispose();
    }

    private sealed record KeyState(LicenseServerIdentity Identity, CertificateVerifier Verifier);
}
