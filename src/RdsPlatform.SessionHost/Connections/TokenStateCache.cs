// The last certificate known for each device and user, in process and in the shared store.
using BitFaster.Caching.Lru;
using Microsoft.Extensions.Options;
using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>The last certificate known for a device or user: its signed bytes and what they say (signature already verified).</summary>
public sealed record TokenState(byte[] Bytes, CalCertificate Certificate);

/// <summary>
/// Per-device and per-user token state. In process first (a presented certificate equal to the known bytes needs no
/// signature check), then the shared <see cref="ITokenStateStore"/> (a client that lost its certificate, or a replica that never saw it).
/// </summary>
public sealed class TokenStateCache(ITokenStateStore shared, IOptions<GatewayOptions> options)
{
    // Bounded, least recently used leave first: a miss costs one signature check (or a cache read), never a wrong decision.
    private readonly FastConcurrentLru<TokenKey, TokenState> _tokens = new(options.Value.TokenCacheCapacity);

    public bool TryGet(CalType type, string subject, out TokenState state) => _tokens.TryGet(new TokenKey(type, subject), out state!);

    public void Remember(TokenState state)
    {
        var certificate = state.Certificate;
        var key = new TokenKey(certificate.Type, certificate.Subject);
        if (_tokens.TryGet(key, out var known) && ReferenceEquals(known.Bytes, state.Bytes))
        {
            return;
        }

        _tokens.AddOrUpdate(key, state);
        shared.Save(certificate.Type, certificate.Subject, state.Bytes, options.Value.SessionLifetime);
    }

    /// <summary>The certificate bytes another replica (or this one before a restart) last handed to the subject; null when unknown or the cache is down.</summary>
    public Task<byte[]?> FindSharedAsync(CalType type, string subject, CancellationToken cancellationToken) =>
        shared.FindAsync(type, subject, cancellationToken);

    private readonly record struct TokenKey(CalType Type, string Subject)
    {
        public bool Equals(TokenKey other) => Type == other.Type && string.Equals(Subject, other.Subject, StringComparison.OrdinalIgnoreCase);

        public override int GetHashCode() => HashCode.Combine(Type, StringComparer.OrdinalIgnoreCase.GetHashCode(Subject));
    }
}
