using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using RdsPlatform.LicenseServer.Storage;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// Webhook secrets are stored encrypted (ASP.NET Core Data Protection: AES-256-CBC + HMAC-SHA256, keys rotated every 90
/// days) with a key ring kept beside the license database, not in it (<see cref="WebhookOptions.KeyDirectory"/>, default
/// <c>&lt;data&gt;/webhook-keys</c>; on Windows the keys themselves are DPAPI-protected), so a copy of the database, a backup or a
/// dump alone does not reveal them. A key derived from the server's signing key would sit in the same database as the
/// secrets and protect nothing against exactly that. Stored values carry <see cref="Prefix"/>; a value without it is a
/// secret stored in clear by an earlier release, still read as it is and encrypted at start-up.
/// </summary>
public sealed class WebhookSecretProtector
{
    public const string Prefix = "dp1:";

    private readonly IDataProtector _protector;

    public WebhookSecretProtector(ILicenseStore licenses, IOptions<WebhookOptions> options)
    {
        var directory = string.IsNullOrWhiteSpace(options.Value.KeyDirectory)
            ? Path.Combine(Path.GetDirectoryName(((SqliteLicenseStore)licenses).DatabasePath)!, "webhook-keys")
            : Path.GetFullPath(options.Value.KeyDirectory);
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
