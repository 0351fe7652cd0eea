using RdsPlatform.LicenseServer.Application;
using RdsPlatform.LicenseServer.Storage;
using RdsPlatform.LicenseServer.Telemetry;

namespace RdsPlatform.LicenseServer;

public static class Extensions
{
    /// <summary>The license server's parts: options, the SQLite store, identity, application, metrics, sweep and DB health.</summary>
    public static IHostApplicationBuilder AddLicenseServer(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LicenseServerOptions>()
            .Bind(builder.Configuration.GetSection(LicenseServerOptions.SectionName))
            .Validate(o => o.ProductVersion != default, "LicenseServer:Version must be 2016, 2019, 2022 or 2025.")
            .Validate(o => o.Scope == Licensing.ServerScope.Workgroup || !string.IsNullOrWhiteSpace(o.Domain),
                "LicenseServer:Domain is required when LicenseServer:Scope is Domain.")
            .Validate(o => o.ReclaimSweepInterval > TimeSpan.Zero, "LicenseServer:ReclaimSweepInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection(StorageOptions.SectionName));

        builder.Services.AddSingleton<ILicenseStore, SqliteLicenseStore>();
        builder.Services.AddSingleton<LicenseServerIdentity>();
        builder.Services.AddSingleton<LicenseServerMetrics>();
        builder.Services.AddSingleton<LicenseServerApplication>();
        builder.Services.AddHostedService<ReclaimSweeper>();

        builder.Services.AddGrpcHealthChecks().AddCheck<LicenseStoreHealthCheck>("license-database", tags: ["ready"]);
        return builder;
    }
}
