using Grpc.Core;
using Grpc.Net.Client;
using RdsPlatform.Contracts.Admin.V1;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.Cli.Infrastructure;

/// <summary>One service rdslic talks to: what to call it in messages and how its address is set.</summary>
public sealed record ServiceEndpoint(string Name, Uri Address, string Option, string Variable);

/// <summary>
/// The channels and clients of one command run. Every call gets a deadline and, when an API key is known,
/// the <c>authorization: Bearer</c> header. Remembers which services were used so errors can name them.
/// </summary>
public sealed class ServiceClients : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Streams and exports move more data than a unary call: they get this many times the deadline.</summary>
    public const int LongCallFactor = 10;

    private readonly CliHost _host;
    private readonly string? _apiKey;
    private readonly Dictionary<Uri, GrpcChannel> _channels = [];
    private readonly List<ServiceEndpoint> _used = [];

    public ServiceClients(CliHost host, GlobalSettings settings)
    {
        _host = host;
        LicenseServerEndpoint = Endpoint("license server", settings.LicenseServer, "--license-server", GlobalSettings.LicenseServerVariable, "http://localhost:5101");
        GatewayEndpoint = Endpoint("session-host gateway", settings.Gateway, "--gateway", GlobalSettings.GatewayVariable, "http://localhost:5102");
        ReportingEndpoint = Endpoint("reporting service", settings.Reporting, "--reporting", GlobalSettings.ReportingVariable, "http://localhost:5103");
        _apiKey = FirstSet(settings.ApiKey, host.GetEnvironmentVariable(GlobalSettings.ApiKeyVariable));
        Timeout = ParseTimeout(settings.Timeout);
    }

    public ServiceEndpoint LicenseServerEndpoint { get; }

    public ServiceEndpoint GatewayEndpoint { get; }

    public ServiceEndpoint ReportingEndpoint { get; }

    public TimeSpan Timeout { get; }

    public bool HasApiKey => _apiKey is not null;

    /// <summary>The services this run has called, in first-use order.</summary>
    public IReadOnlyList<ServiceEndpoint> Used => _used;

    public LicenseServerClient LicenseServer() => new(Channel(LicenseServerEndpoint));

    public GatewayClient Gateway() => new(Channel(GatewayEndpoint));

    public ReportingClient Reporting() => new(Channel(ReportingEndpoint));

    public Clock.ClockClient Clock(ServiceEndpoint endpoint) => new(Channel(endpoint));

    /// <summary>Options of a unary call: the deadline, the API key and the run's cancellation.</summary>
    public CallOptions Call(CancellationToken cancellationToken) => Options(Timeout, cancellationToken);

    /// <summary>Options of a stream, an export or a report generation.</summary>
    public CallOptions LongCall(CancellationToken cancellationToken) => Options(Timeout * LongCallFactor, cancellationToken);

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }

    private CallOptions Options(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (_apiKey is not null)
        {
            headers.Add("authorization", $"Bearer {_apiKey}");
        }

        // A gRPC deadline is an absolute UTC instant by definition; this is the CLI's wall clock, not licensing time.
        return new CallOptions(headers, DateTime.UtcNow + timeout, cancellationToken);
    }

    private GrpcChannel Channel(ServiceEndpoint endpoint)
    {
        if (!_used.Contains(endpoint))
        {
            _used.Add(endpoint);
        }

        if (!_channels.TryGetValue(endpoint.Address, out var channel))
        {
            channel = GrpcChannel.ForAddress(endpoint.Address, new GrpcChannelOptions
            {
                HttpHandler = _host.HttpHandlerFactory?.Invoke(endpoint.Address)
                    ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), EnableMultipleHttp2Connections = true },
                DisposeHttpClient = true,
                MaxReceiveMessageSize = 16 * 1024 * 1024,
            });
            _channels[endpoint.Address] = channel;
        }

        return channel;
    }

    private ServiceEndpoint Endpoint(string name, string? option, string optionName, string variable, string fallback)
    {
        var text = FirstSet(option, _host.GetEnvironmentVariable(variable)) ?? fallback;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"The {name} address '{text}' (from {(option is not null ? optionName : variable)}) is not an http:// or https:// URL, for example {fallback}.");
        }

        return new ServiceEndpoint(name, address, optionName, variable);
    }

    private static TimeSpan ParseTimeout(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultTimeout;
        }

        var timeout = Durations.Parse(text, "--timeout", bareNumberIsSeconds: true);
        return timeout > TimeSpan.Zero && timeout <= TimeSpan.FromDays(1)
            ? timeout
            : throw new UsageException($"--timeout '{text}' must be more than zero and at most one day, for example 30s or 2m.");
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
