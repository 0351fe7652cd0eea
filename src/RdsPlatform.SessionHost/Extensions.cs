using RdsPlatform.SessionHost;
using RdsPlatform.SessionHost.Alerts;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.SessionHost.Diagnostics;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;

namespace Microsoft.Extensions.Hosting;

public static class SessionHostGatewayExtensions
{
    /// <summary>The gateway's parts: its SQLite file, the license server registry, caches, sessions, the revocation feed, the not-tracked outbox and metrics.</summary>
    public static IHostApplicationBuilder AddSessionHostGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<GatewayOptions>(builder.Configuration.GetSection(GatewayOptions.SectionName));

        var dataDirectory = builder.Configuration["Storage:DataDirectory"];
        dataDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(dataDirectory) ? "data" : dataDirectory, builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(_ => new GatewayDatabase(dataDirectory));
        builder.Services.AddSingleton<SessionHostStore>();
        builder.Services.AddSingleton<LicenseServerKeyStore>();

        builder.Services.AddHttpClient(DiscoveringChannelFactory.HandlerName)
            // One call per new device: HttpClient's per-request log scopes cost more than they tell (the gRPC client
            // logs and traces each call already), and one HTTP/2 connection caps concurrent calls at the server's stream limit.
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            });
        builder.Services.AddSingleton<ILicenseServerChannelFactory, DiscoveringChannelFactory>();
        builder.Services.AddSingleton<LicenseServerDirectory>();
        builder.Services.AddSingleton<LicenseServerRegistry>();

        builder.Services.AddSingleton<GatewayCache>();
        builder.Services.AddSingleton<RevocationList>();
        builder.Services.AddSingleton<TokenStateCache>();
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<ConnectionGateway>();
        builder.Services.AddSingleton<Diagnoser>();
        builder.Services.AddSingleton<RevocationFeed>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RevocationFeed>());
        builder.Services.AddSingleton<NotTrackedSignInOutbox>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NotTrackedSignInOutbox>());
        builder.AddGraceAlerts();
        return builder;
    }
}
