// Turning a license server entry into an address and a gRPC channel.
using Grpc.Net.Client;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.SessionHost.LicenseServers;

/// <summary>Creates the one channel used for a license server address. Tests replace it to reach an in-process server.</summary>
public interface ILicenseServerChannelFactory
{
    GrpcChannel Create(Uri address);
}

/// <summary>Channels over the HTTP handler pipeline of the service defaults, so bare names resolve through service discovery.</summary>
internal sealed class DiscoveringChannelFactory(IHttpMessageHandlerFactory handlers) : ILicenseServerChannelFactory
{
    public const string HandlerName = "license-server";

    public GrpcChannel Create(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = handlers.CreateHandler(HandlerName),
        DisposeHttpClient = true,
        MaxReceiveMessageSize = RpcLimits.MaxReceiveMessageBytes,
    });
}

/// <summary>
/// Turns a host's license server entry into an address: an absolute http(s) URL as it is; a name through
/// configuration <c>LicenseServers:&lt;name&gt;</c>, else <c>http://&lt;name&gt;</c> resolved by service discovery.
/// </summary>
public sealed class LicenseServerDirectory(IConfiguration configuration)
{
    public const string SectionName = "LicenseServers";

    public Uri Resolve(string entry)
    {
        if (entry.Contains("://", StringComparison.Ordinal))
        {
            return new Uri(entry, UriKind.Absolute);
        }

        var configured = configuration[$"{SectionName}:{entry}"];
        return !string.IsNullOrWhiteSpace(configured) && Uri.TryCreate(configured, UriKind.Absolute, out var address)
            ? address
            : new Uri($"http://{entry}");
    }
}
