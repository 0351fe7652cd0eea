using RdsPlatform.SessionHost;
using RdsPlatform.SessionHost.Alerts;
using RdsPlatform.SessionHost.Cache;
using RdsPlatform.SessionHost.Connections;
using RdsPlatform.SessionHost.Diagnostics;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;
using RdsPlatform.ServiceDefaults.Storage;
using RdsPlatform.SessionHost.Storage;

namespace Microsoft.Extensions.Hosting;

// Registering the session-host gateway's parts with the host.
public static class SessionHostGatewayExtensions
{
    /// <summary>The gateway's parts: its stores (SQLite or PostgreSQL), the license server registry, the shared cache's stores, sessions, the connection and sign-in steps, the background followers (revocations, session sweep, host changes), the not-tracked outbox and metrics.</summary>
    public static IHostApplicationBuilder AddSessionHostGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<GatewayOptions>(GatewayOptions.SectionName)
            // Polly's circuit breaker takes breaks of 0.5 s to a day; zero turns skipping off (tests that fail servers on purpose).
            .Validate(o => o.LicenseServerRetryAfter == TimeSpan.Zero
                    || (o.LicenseServerRetryAfter >= TimeSpan.FromMilliseconds(500) && o.LicenseServerRetryAfter <= TimeSpan.FromDays(1)),
                "Gateway:LicenseServerRetryAfter must be 00:00:00 (never skip a license server) or between 00:00:00.500 and 1.00:00:00.");

        if (builder.AddRdsStorage(GatewaySchema.ConnectionName, GatewaySchema.PostgresSchema) == StorageProvider.Postgres)
        {
            // Every table in the gateway's PostgreSQL database: the gateway keeps no SQLite file then (docs/storage.md).
            builder.Services.AddSingleton<ISessionHostRepository, PostgresSessionHostRepository>();
            builder.Services.AddSingleton<ILicenseServerKeyStore, PostgresLicenseServerKeyStore>();
            builder.Services.AddSingleton<INotTrackedSignInQueue, PostgresNotTrackedSignInQueue>();
            builder.Services.AddSingleton<IGatewayAlertOutbox, PostgresGatewayAlertOutbox>();
        }
        else
        {
            var dataDirectory = builder.SqliteDataDirectory();
            builder.Services.AddSingleton(_ => new GatewayDatabase(dataDirectory));
            builder.Services.AddSingleton<ISessionHostRepository, SqliteSessionHostRepository>();
            builder.Services.AddSingleton<ILicenseServerKeyStore, SqliteLicenseServerKeyStore>();
            builder.Services.AddSingleton<INotTrackedSignInQueue, SqliteNotTrackedSignInQueue>();
            builder.Services.AddSingleton<IGatewayAlertOutbox, SqliteGatewayAlertOutbox>();
        }

        builder.Services.AddSingleton<SessionHostStore>();

        AddLicenseServerClients(builder.Services);
        AddSharedCache(builder.Services);

        builder.Services.AddSingleton<RevocationList>();
        builder.Services.AddSingleton<TokenStateCache>();
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<CertificateChecks>();
        builder.Services.AddSingleton<CalRequests>();
        builder.Services.AddSingleton<ConnectionGateway>();
        builder.Services.AddSingleton<SignInGateway>();
        builder.Services.AddSingleton<Diagnoser>();
        builder.Services.AddSingleton<RevocationFeed>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RevocationFeed>());
        builder.Services.AddHostedService<SessionSweep>();
        builder.Services.AddSingleton<HostChangeListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HostChangeListener>());
        builder.Services.AddSingleton<NotTrackedSignInOutbox>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NotTrackedSignInOutbox>());
        builder.AddGraceAlerts();
        return builder;
    }

    /// <summary>One channel per license server address, over the service defaults' HTTP pipeline (service discovery), and the registry that calls them.</summary>
    private static void AddLicenseServerClients(IServiceCollection services)
    {
        services.AddHttpClient(DiscoveringChannelFactory.HandlerName)
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
        services.AddSingleton<ILicenseServerChannelFactory, DiscoveringChannelFactory>();
        services.AddSingleton<LicenseServerDirectory>();
        services.AddSingleton<LicenseServerRegistry>();
    }

    /// <summary>The shared cache: one connection owner, one coalescing writer, and the stores the connection code sees as interfaces.</summary>
    private static void AddSharedCache(IServiceCollection services)
    {
        services.AddSingleton<GatewayCache>();
        services.AddSingleton<CacheWriteQueue>();
        services.AddSingleton<GatewayReplicas>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayReplicas>());
        services.AddSingleton<ISessionStore, RedisSessionStore>();
        services.AddSingleton<ITokenStateStore, RedisTokenStateStore>();
        services.AddSingleton<IRevocationStore, RedisRevocationStore>();
        services.AddSingleton<IHostChangeNotices, RedisHostChangeNotices>();
    }
}
