using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// The signature of a webhook delivery, as Stripe and Keygen do it: <c>Rds-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>
/// where the hex is HMAC-SHA256, keyed with the subscription's secret, of <c>"&lt;t&gt;.&lt;body&gt;"</c>. Signing the
/// timestamp with the body lets a receiver refuse replays of an old delivery (docs/alerts.md has a verifier).
/// </summary>
public static class WebhookSignature
{
    public const string Header = "Rds-Signature";

    public static string Create(string secret, long unixSeconds, string body)
    {
        var timestamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }
}
