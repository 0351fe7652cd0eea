using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>
/// The API keys this service accepts, from configuration <c>Auth:Keys:&lt;name&gt;</c>. Only SHA-256 hashes are
/// kept in memory; a presented key is hashed and compared in constant time with every known hash.
/// </summary>
public sealed class ApiKeyStore
{
    public const string SectionName = "Auth:Keys";

    private readonly Entry[] _entries;

    // Authorization header values accepted before, keyed by the string instance itself (compared by reference, never
    // by content): Kestrel hands an HTTP/2 stream it reuses the same string while a connection keeps sending the same
    // header, so a client's calls after its first skip the SHA-256 of the key. Keys are read once at start-up and never
    // change, so an accepted value stays accepted; entries go when their string is collected.
    private readonly ConditionalWeakTable<string, RdsCaller> _accepted = new();

    private long _hashes;

    public ApiKeyStore(IConfiguration configuration)
    {
        var entries = new List<Entry>();
        foreach (var section in configuration.GetSection(SectionName).GetChildren())
        {
            var name = section.Key;
            var role = RdsRoles.Parse(section["Role"])
                ?? throw new InvalidOperationException(
                    $"Auth:Keys:{name}:Role is '{section["Role"]}'; set it to one of {string.Join(", ", RdsRoles.All)}.");
            byte[] hash;
            if (!string.IsNullOrEmpty(section["Key"]))
            {
                hash = Hash(section["Key"]!);
            }
            else if (!string.IsNullOrEmpty(section["KeySha256"]))
            {
                try
                {
                    hash = Convert.FromHexString(section["KeySha256"]!.Trim());
                }
                catch (FormatException)
                {
                    hash = [];
                }

                if (hash.Length != SHA256.HashSizeInBytes)
                {
                    throw new InvalidOperationException($"Auth:Keys:{name}:KeySha256 must be 64 hexadecimal characters (the SHA-256 of the key).");
                }
            }
            else
            {
                throw new InvalidOperationException($"Auth:Keys:{name} has no key; set Auth:Keys:{name}:Key or Auth:Keys:{name}:KeySha256.");
            }

            var hostIds = section.GetSection("HostIds").GetChildren().Select(c => c.Value?.Trim()).OfType<string>().Where(h => h.Length > 0).ToArray();
            if (role == RdsRoles.SessionHost && hostIds.Length == 0)
            {
                throw new InvalidOperationException(
                    $"Auth:Keys:{name} is a session-host key without host ids; set Auth:Keys:{name}:HostIds:0 to a host id, or to * for any host.");
            }

            entries.Add(new Entry(hash, new RdsCaller(name, role, hostIds)));
        }

        _entries = [.. entries];
    }

    public int Count => _entries.Length;

    /// <summary>Presented keys hashed so far (the calls that did not reuse an accepted header value).</summary>
    public long HashesComputed => Interlocked.Read(ref _hashes);

    /// <summary>The caller of an authorization header value this store accepted before: that very string instance.</summary>
    public RdsCaller? FindAccepted(string authorization) => _accepted.TryGetValue(authorization, out var caller) ? caller : null;

    /// <summary>Remembers that <paramref name="authorization"/> (this string instance) named <paramref name="caller"/>.</summary>
    public void RememberAccepted(string authorization, RdsCaller caller) => _accepted.AddOrUpdate(authorization, caller);

    /// <summary>The caller a presented key belongs to, or null for an unknown key.</summary>
    public RdsCaller? Find(ReadOnlySpan<char> key)
    {
        Interlocked.Increment(ref _hashes);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var byteCount = Encoding.UTF8.GetByteCount(key);
        var buffer = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(key, buffer);
        SHA256.HashData(buffer, hash);
        RdsCaller? found = null;
        // Every entry is compared, so the time taken does not tell which key came close.
        foreach (var entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Hash))
            {
                found = entry.Caller;
            }
        }

        return found;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private sealed record Entry(byte[] Hash, RdsCaller Caller);
}
