using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RdsPlatform.Licensing;

/// <summary>
/// When a session host's grace period (R1) is worth an alert: fewer than the threshold's days left and still in grace.
/// The gateway adds the other half (none of the host's license servers answers); one alert per host and grace period,
/// whose id is derived from both, so every gateway replica and every retry names the same alert.
/// </summary>
public static class GracePeriodAlertRules
{
    /// <summary>The largest threshold that means anything: a grace period is 120 days long.</summary>
    public static int MaxThresholdDays => (int)LicensingRules.GracePeriod.TotalDays;

    public static bool IsLow(DateTimeOffset graceStart, DateTimeOffset now, int thresholdDays)
    {
        var left = GracePeriod.EndsAt(graceStart) - now;
        return left > TimeSpan.Zero && left < TimeSpan.FromDays(thresholdDays);
    }

    /// <summary>The alert's id: a name-based UUID (version 8) of the host id (case-insensitive, as hosts are) and the grace start.</summary>
    public static Guid AlertId(string hostId, DateTimeOffset graceStart)
    {
        var name = $"grace-period-low\n{hostId.ToUpperInvariant()}\n{graceStart.UtcTicks.ToString(CultureInfo.InvariantCulture)}";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The sentence the gateway logs and the license server audits and sends to webhooks.</summary>
    public static string Describe(string hostId, int daysLeft, DateTimeOffset graceEndsAt) =>
        $"Session host {hostId} has {daysLeft} day(s) of its licensing grace period left (it ends {graceEndsAt:yyyy-MM-dd HH:mm} UTC) " +
        "and none of its license servers answers: after that its clients are refused. Bring a license server back or point the host at one that answers.";
}
