using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Reporting.Application;
using RdsPlatform.Reporting.Compliance;
using RdsPlatform.Reporting.Generation;
using RdsPlatform.Reporting.Storage;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.ServiceDefaults.Storage;

namespace RdsPlatform.Reporting;

/// <summary>Registers the reporting service's parts with the host.</summary>
public static class ReportingExtensions
{
    /// <summary>The reporting service's parts: its snapshot store (SQLite or PostgreSQL), the license server client, generation, compliance and metrics.</summary>
    public static IHostApplicationBuilder AddReporting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ReportingOptions>(ReportingOptions.SectionName);

        if (builder.AddRdsStorage(ReportingSchema.ConnectionName, ReportingSchema.PostgresSchema) == StorageProvider.Postgres)
        {
            builder.Services.AddSingleton<IReportStore, PostgresReportStore>();
        }
        else
        {
            var storage = builder.Configuration.GetSection(ReportingStorageOptions.SectionName).Get<ReportingStorageOptions>() ?? new();
            var dataDirectory = Path.GetFullPath(storage.DataDirectory, builder.Environment.ContentRootPath);
            Directory.CreateDirectory(dataDirectory);
            builder.Services.AddSingleton<IReportStore>(_ =>
            {
                var store = new SqliteReportStore(Path.Combine(dataDirectory, "reporting.db"));
                store.Initialize();
                return store;
            });
        }

        builder.Services.AddRdsGrpcClient<LicensePagesClient>(
                builder.Configuration["Reporting:LicenseServerAddress"] ?? "http://license-server", name: LicensePagesClient.HttpClientName)
            .WithBearerKey(sp => sp.GetRequiredService<IConfiguration>()["Reporting:LicenseServerApiKey"]);

        builder.Services.AddSingleton<ReportingMetrics>();
        builder.Services.AddSingleton<LicenseServerReader>();
        builder.Services.AddSingleton<FarmSummaries>();
        builder.Services.AddSingleton<ReportGenerator>();
        builder.Services.AddSingleton<ReportCatalog>();
        builder.Services.AddSingleton<ComplianceSummaryProvider>();
        return builder;
    }
}
