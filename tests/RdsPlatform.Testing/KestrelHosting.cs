using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace RdsPlatform.Testing;

/// <summary>Where a service started on real sockets listens: its gRPC port, its JSON API port and its management port.</summary>
public sealed record ServiceAddresses(Uri Grpc, Uri HttpApi, Uri Management);

public static class KestrelHosting
{
    /// <summary>
    /// Starts the service on real Kestrel sockets on loopback, as the AppHost runs it: an Http2 gRPC port, and the JSON API
    /// and management ports named by <c>Ports:HttpApi</c> and <c>Ports:Management</c>, whose protocols the service itself
    /// chooses. The returned factory owns the server: dispose it.
    /// </summary>
    public static (WebApplicationFactory<T> Host, ServiceAddresses Addresses) StartOnKestrel<T>(this WebApplicationFactory<T> factory)
        where T : class
    {
        // A free port is probed, then bound a moment later: a test process running beside this one can take it in between.
        // Such a start is tried again on new ports.
        for (var attempt = 1; ; attempt++)
        {
            int grpc = FreePort(), httpApi = FreePort(), management = FreePort();
            var host = factory.WithWebHostBuilder(web =>
            {
                web.UseSetting("Ports:HttpApi", httpApi.ToString(System.Globalization.CultureInfo.InvariantCulture));
                web.UseSetting("Ports:Management", management.ToString(System.Globalization.CultureInfo.InvariantCulture));
            });
            host.UseKestrel(options =>
            {
                options.Listen(IPAddress.Loopback, grpc, listen => listen.Protocols = HttpProtocols.Http2);
                options.Listen(IPAddress.Loopback, httpApi);
                options.Listen(IPAddress.Loopback, management);
            });
            try
            {
                host.StartServer();
                return (host, new ServiceAddresses(Loopback(grpc), Loopback(httpApi), Loopback(management)));
            }
            catch (IOException ex) when (attempt < 5 && ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                host.Dispose();
            }
        }
    }

    /// <summary>A port no one listens on now (the OS picks it; a test binds it right after).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static Uri Loopback(int port) => new($"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
}
