using System.Net;
using System.Net.Sockets;
using RdsPlatform.Licensing;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// Which URLs webhooks may be sent to: absolute http(s) only, and never a link-local address (169.254.0.0/16, fe80::/10),
/// where cloud instance metadata services answer with credentials, unless <see cref="WebhookOptions.AllowLinkLocalUrls"/>
/// says otherwise. Loopback and private addresses stay allowed: tests and single-machine farms receive on them.
/// Checked when a subscription is created (an IP literal) and again for every connection (a name that resolves to one).
/// </summary>
public static class WebhookUrlRules
{
    public const int MaxUrlLength = 2048;

    /// <summary>The URL to subscribe, or null with a violation of <c>url</c> added to <paramref name="problems"/>.</summary>
    public static Uri? Check(string text, bool allowLinkLocal, List<FieldViolation> problems)
    {
        if (text.Length > MaxUrlLength)
        {
            problems.Add(new("url", $"At most {MaxUrlLength} characters."));
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(url.Host))
        {
            problems.Add(new("url", "Give an absolute http:// or https:// URL that accepts POST requests; other schemes are never called."));
            return null;
        }

        if (!allowLinkLocal && IPAddress.TryParse(url.IdnHost, out var address) && IsLinkLocal(address))
        {
            problems.Add(new("url", RefusalSentence(address)));
            return null;
        }

        return url;
    }

    public static bool IsLinkLocal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes() is [169, 254, _, _]
            : address.IsIPv6LinkLocal;
    }

    public static string RefusalSentence(IPAddress address) =>
        $"{address} is a link-local address (169.254.0.0/16 or fe80::/10), where cloud metadata services answer; webhooks are never sent there. " +
        "Give the receiver's routable or loopback address, or set Webhooks:AllowLinkLocalUrls=true if the receiver really is link-local.";
}
