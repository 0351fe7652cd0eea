using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// Webhook secrets are stored encrypted (ASP.NET Core Data Protection: AES-256-CBC + HMAC-SHA256, keys rotated every 90
/// days) with a key ring kept in a folder, not in the license database (<see cref="WebhookOptions.KeyDirectory"/>, default
/// <c>webhook-keys</c> in <c>Storage:DataDirectory</c>, on either engine; on Windows the keys themselves are DPAPI-protected), so a
/// copy of the database, a backup or a dump alone does not reveal them. Every replica must share the same key ring. A key derived from the server's signing key would sit in the same database as the
/// secrets and protect nothing against exactly that. Stored values carry <see cref="Prefix"/>; a value without it is a
/// secret stored in clear by an earlier release, still read as it is and encrypted at start-up.
/// </summary>
public sealed class WebhookSecretProtector
{
    public const string Prefix = "dp1:";

    private readonly IDataProtector _protector;

    public WebhookSecretProtector(IOptions<WebhookOptions> options)
    {
        // Resolved when the options are built (WebhookOptions.ResolveKeyDirectory): never derived from a database's location.
        var directory = options.Value.KeyDirectory
            ?? throw new InvalidOperationException("Webhooks:KeyDirectory is resolved when the license server's options are built.");
        KeyDirectory = directory;
        var provider = DataProtectionProvider.Create(new DirectoryInfo(directory), builder =>
        {
            // A fixed name: replicas sharing the key folder, and the same server after a move, read each other's values.
            builder.SetApplicationName("RdsPlatform.LicenseServer");
            if (OperatingSystem.IsWindows())
            {
                builder.ProtectKeysWithDpapi();
            }
        });
        _protector = provider.CreateProtector("RdsPlatform.LicenseServer.WebhookSecret.v1");
    }

    public string KeyDirectory { get; }

    public static bool IsProtected(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    public string Protect(string secret) => Prefix + _protector.Protect(secret);

    /// <summary>The secret in clear; throws <see cref="CryptographicException"/> when the key ring that encrypted it is gone.</summary>
    public string Unprotect(string stored) => IsProtected(stored) ? _protector.Unprotect(stored[Prefix.Length..]) : stored;
}
