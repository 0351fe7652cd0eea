using System.Net;
using System.Net.Sockets;

namespace RdsPlatform.LicenseServer.Alerts;

/// <summary>
/// Opens the TCP connections of webhook deliveries, refusing link-local addresses (<see cref="WebhookUrlRules"/>) after
/// name resolution: a host name that resolves to a metadata address, at subscription time or only later, is never called.
/// </summary>
public static class WebhookConnections
{
    public static SocketsHttpHandler Handler(bool allowLinkLocal) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var endpoint = context.DnsEndPoint;
            var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
            var allowed = allowLinkLocal ? addresses : addresses.Where(a => !WebhookUrlRules.IsLinkLocal(a)).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException(WebhookUrlRules.RefusalSentence(addresses.FirstOrDefault() ?? IPAddress.None));
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
