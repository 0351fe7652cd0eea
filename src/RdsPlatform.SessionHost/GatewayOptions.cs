using System.ComponentModel.DataAnnotations;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.SessionHost;

/// <summary>Configuration section <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>The API key (a session-host key for any host, HostIds *) sent to every license server as <c>authorization: Bearer</c>.</summary>
    public string? LicenseServerApiKey { get; set; }

    /// <summary>Deadline of every unary call to a license server.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Gateway:LicenseServerTimeout must be a duration from 1 ms to 1 day, for example 00:00:05.")]
    public TimeSpan LicenseServerTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>After a license server failed to answer, it is skipped this long so that connections do not each wait for its deadline.</summary>
    public TimeSpan LicenseServerRetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often each license server's identity and public key are re-read.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Gateway:ServerInfoRefresh must be a duration from 1 ms to 1 day, for example 00:00:05.")]
    public TimeSpan ServerInfoRefresh { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the audit trail of each license server is tailed for revocations.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Gateway:RevocationPollInterval must be a duration from 1 ms to 1 day, for example 00:00:05.")]
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often every session host is re-read from the database. Replicas hear of a change at once through the cache's
    /// notice; this bounds how long one serves old settings when the notice is lost (no cache, or the cache down).
    /// </summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Gateway:HostRefreshInterval must be a duration from 1 ms to 1 day, for example 00:00:30.")]
    public TimeSpan HostRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often not-tracked sign-ins waiting for an unreachable license server are offered to it again (R12 audit).</summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Gateway:NotTrackedRetryInterval must be a duration from 1 ms to 1 day, for example 00:00:05.")]
    public TimeSpan NotTrackedRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a replica announces itself to the others sharing the cache (<see cref="Cache.GatewayReplicas"/>); an
    /// announcement lapses after three intervals, so a replica killed without leaving is counted that long. While another
    /// replica is known, Connect waits for its session's cache write before it answers.
    /// </summary>
    [DurationRange("00:00:00.010", "00:10:00", ErrorMessage = "Gateway:ReplicaAnnounceInterval must be a duration from 10 ms to 10 minutes, for example 00:00:05.")]
    public TimeSpan ReplicaAnnounceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a session stays known for SignIn and Disconnect.</summary>
    [DurationRange("00:00:00.001", "365.00:00:00", ErrorMessage = "Gateway:SessionLifetime must be a duration from 1 ms to 365 days, for example 00:00:05.")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a replica trusts its own check that a session it holds in process was not ended on another replica: a
    /// SignIn of that session within it makes no cache round trip (0: every SignIn asks the cache). A session disconnected
    /// on another replica is refused here at the latest this long after that Disconnect answered.
    /// </summary>
    [DurationRange("00:00:00", "00:01:00", ErrorMessage = "Gateway:SessionEndedCheckInterval must be a duration from 0 (check on every SignIn) to 1 minute, for example 00:00:01.")]
    public TimeSpan SessionEndedCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Most sessions kept in process (those not read recently leave first). Beyond it the shared cache is the store of
    /// record: without a cache, a session pushed out of process is no longer found by SignIn or Disconnect. A 192-byte slot
    /// each plus about 30 bytes of index, no object per session (<see cref="Connections.SessionSlots"/>): 50,000 hold about 11 MB.
    /// </summary>
    [Range(3, 100_000_000, ErrorMessage = "Gateway:SessionCacheCapacity must be at least 3 (the in-process cache's smallest size).")]
    public int SessionCacheCapacity { get; set; } = 50_000;

    /// <summary>
    /// Write sessions to the shared cache as JSON, the form versions before 2026-12-01 read, instead of the packed form (about
    /// a third of the bytes, serialised once per Connect). Only for a rolling upgrade from such a version: set it on the new
    /// replicas while old ones still serve, so that a session started on a new replica still signs in on an old one; every
    /// version from this one reads both forms.
    /// </summary>
    public bool WriteJsonSessions { get; set; }

    /// <summary>
    /// Most device and user token states kept in process (least recently used leave first), and most verified
    /// certificates each license server's verifier remembers. A miss costs one signature check or one cache read, never a
    /// wrong decision. About 510 bytes each (the signed bytes, the decoded certificate, its LRU entry): 50,000 hold about 25 MB
    /// of the gateway's heap.
    /// </summary>
    [Range(3, 100_000_000, ErrorMessage = "Gateway:TokenCacheCapacity must be at least 3 (the in-process cache's smallest size).")]
    public int TokenCacheCapacity { get; set; } = 50_000;

    /// <summary>
    /// Certificates a license server returns (RequestLicense, RenewLicense) come over the gateway's authenticated call and
    /// are trusted like its answer; the first and every N-th of each server are still verified against its public key, and
    /// after one fails every later one is verified and the key is re-read. 1 verifies every certificate (ECDSA verification
    /// was about a quarter of the gateway's CPU when connecting new devices).
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Gateway:IssuedCertificateSpotCheck must be at least 1 (1 verifies every certificate).")]
    public int IssuedCertificateSpotCheck { get; set; } = 64;

    /// <summary>Timeout of one cache (Redis protocol) call; the gateway decides without the cache when it is slow or down.</summary>
    [DurationRange("00:00:00.001", "1.00:00:00", ErrorMessage = "Gateway:CacheTimeout must be a duration from 1 ms to 1 day, for example 00:00:05.")]
    public TimeSpan CacheTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long the cache writer gathers writes nobody waits for (the sessions of a gateway without other replicas) before
    /// it sends them as one batch: fewer, larger batches cost the gateway and the cache far fewer system calls and wake-ups
    /// (docs/performance.md). A write a caller waits for (a session other replicas may read next, a Disconnect) ends the
    /// wait at once. 0 sends each batch as soon as the writer is free.
    /// </summary>
    [DurationRange("00:00:00", "00:00:00.100", ErrorMessage = "Gateway:CacheWriteCoalescing must be a duration from 0 (send at once) to 100 ms, for example 00:00:00.001.")]
    public TimeSpan CacheWriteCoalescing { get; set; } = TimeSpan.FromMilliseconds(1);
}
