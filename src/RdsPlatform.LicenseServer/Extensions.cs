using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using RdsPlatform.LicenseServer.Alerts;
using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Telemetry;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.LicenseServer;

/// <summary>Registration of the license server's parts, in the order its hosted services must start.</summary>
public static class Extensions
{
    /// <summary>The license server's parts: options, the store and its start-up migration, identity, use cases, metrics, sweep and DB health.</summary>
    public static IHostApplicationBuilder AddLicenseServer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LicenseServerOptions>()
            .Bind(builder.Configuration.GetSection(LicenseServerOptions.SectionName))
            .Validate(o => o.ProductVersion != default, "LicenseServer:Version must be 2016, 2019, 2022 or 2025.")
            .Validate(o => o.Scope == Licensing.ServerScope.Workgroup || !string.IsNullOrWhiteSpace(o.Domain),
                "LicenseServer:Domain is required when LicenseServer:Scope is Domain.")
            .Validate(o => o.ReclaimSweepInterval > TimeSpan.Zero, "LicenseServer:ReclaimSweepInterval must be positive.")
            .Validate(o => o.AlertPollInterval > TimeSpan.Zero, "LicenseServer:AlertPollInterval must be positive.")
            .Validate(o => o.AlertReadInterval >= TimeSpan.Zero && o.AlertReadInterval <= TimeSpan.FromMinutes(10),
                "LicenseServer:AlertReadInterval must be a duration from 0 (judge after every change) to 10 minutes, for example 00:00:01.")
            .Validate(o => o.AuditFollowPollInterval > TimeSpan.Zero, "LicenseServer:AuditFollowPollInterval must be positive.")
            .ValidateOnStart();
        var storage = builder.AddRdsStorage(LicenseSchemaSteps.ConnectionName, PostgresLicenseSchema.Schema, PostgresLicenseDatabase.ConfigureDataSource);
        if (storage == StorageProvider.Postgres)
        {
            builder.Services.AddLicenseStore<PostgresLicenseStore>();
            builder.Services.AddSingleton<ILeaderLease, Replicas.PostgresLeaderLease>();
        }
        else
        {
            builder.Services.AddLicenseStore<SqliteLicenseStore>();
            builder.Services.AddSingleton<ILeaderLease, SingleProcessLease>();
        }

        builder.Services.AddSingleton<LicenseServerIdentity>();
        // First hosted service: the database is migrated and the identity loaded before the others start and before Kestrel listens.
        builder.Services.AddHostedService<LicenseDatabaseMigration>();
        builder.Services.AddSingleton<LicenseServerMetrics>();
        builder.Services.AddSingleton<PoolChangeSignal>();
        builder.Services.AddSingleton<SeatReclaimer>();
        builder.Services.AddSingleton<SecurityGroupGate>();
        builder.Services.AddSingleton<ActivationService>();
        builder.Services.AddSingleton<KeyPackService>();
        builder.Services.AddSingleton<IssuanceService>();
        builder.Services.AddSingleton<RevocationService>();
        builder.Services.AddSingleton<LicenseQueries>();
        builder.Services.AddHostedService<ReclaimSweeper>();
        builder.AddAlerts();

        // ListIssuedLicensePages' pages written as bytes (EncodedLicensePages; Program maps the service with PreferEncodedLicensePages).
        builder.Services.AddSingleton<global::Grpc.AspNetCore.Server.Model.IServiceMethodProvider<Grpc.LicenseServerService>, Grpc.EncodedLicensePagesMethodProvider>();
        builder.Services.AddGrpcHealthChecks().AddCheck<LicenseStoreHealthCheck>("license-database", tags: ["ready"]);
        return builder;
    }

    /// <summary>The chosen engine as every storage port: one store object, so reads, writes and the migration share its database and writer.</summary>
    private static void AddLicenseStore<TStore>(this IServiceCollection services) where TStore : LicenseStore
    {
        services.AddSingleton<TStore>();
        services.AddSingleton<ILicenseStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<ILicenseSchema>(sp => sp.GetRequiredService<ILicenseStore>());
        services.AddSingleton<ILicenseReader>(sp => sp.GetRequiredService<ILicenseStore>());
        services.AddSingleton<ILicenseWriter>(sp => sp.GetRequiredService<ILicenseStore>());
        // Summaries count CALs with one GROUP BY instead of reading each CAL (CountIssuedLicenses).
        services.AddSingleton<ILicenseCountReader>(sp => sp.GetRequiredService<TStore>());
    }

    /// <summary>Alerts (audit, log, webhooks) and their background delivery with Polly retries.</summary>
    private static void AddAlerts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>()
            .Bind(builder.Configuration.GetSection(WebhookOptions.SectionName))
            .Validate(o => o.MaxAttempts >= 2, "Webhooks:MaxAttempts must be at least 2.")
            .Validate(o => o.QueueCapacity > 0 && o.MaxConcurrentDeliveries > 0, "Webhooks:QueueCapacity and Webhooks:MaxConcurrentDeliveries must be positive.")
            .Validate(o => o.RetryBaseDelay > TimeSpan.Zero && o.AttemptTimeout > TimeSpan.Zero, "Webhooks:RetryBaseDelay and Webhooks:AttemptTimeout must be positive.")
            .Validate(o => o.PendingSweepInterval > TimeSpan.Zero, "Webhooks:PendingSweepInterval must be positive.")
            .ValidateOnStart();
        var dataDirectory = builder.Configuration["Storage:DataDirectory"];
        builder.Services.PostConfigure<WebhookOptions>(o =>
            o.KeyDirectory = WebhookOptions.ResolveKeyDirectory(o.KeyDirectory, dataDirectory, builder.Environment.ContentRootPath));
        // The alert tables live in the license database, whichever engine holds it: PostgreSQL when the store registered its database.
        builder.Services.AddSingleton<AlertDatabase>(sp => sp.GetService<PostgresDatabase>() is { } postgres
            ? new PostgresAlertDatabase(postgres)
            : new SqliteAlertDatabase(Path.Combine(
                Path.GetFullPath(string.IsNullOrWhiteSpace(dataDirectory) ? "data" : dataDirectory, builder.Environment.ContentRootPath),
                SqliteLicenseStore.FileName)));
        builder.Services.AddSingleton<AlertStateStore>();
        builder.Services.AddSingleton<WebhookSecretProtector>();
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookSubscriptions>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        builder.Services.AddSingleton<AlertRaiser>();
        builder.Services.AddSingleton<GatewayAlerts>();
        builder.Services.AddSingleton<AlertMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertMonitor>());
        var webhookClient = builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookConnections.Handler(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowLinkLocalUrls));
        webhookClient.AddResilienceHandler("webhook-delivery", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;
                // Retries 5xx, 408, 429, refused connections and timed-out attempts, waiting about 2 s, 4 s, 8 s ... between them.
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxAttempts - 1,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryBaseDelay,
                });
                pipeline.AddTimeout(options.AttemptTimeout);
            });
        // Added after the retry handler, so it runs inside it: every attempt is counted and signed with its own timestamp.
        webhookClient.AddHttpMessageHandler(() => new WebhookAttemptHandler());
    }
}
