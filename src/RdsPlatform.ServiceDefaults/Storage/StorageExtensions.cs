using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace RdsPlatform.ServiceDefaults.Storage;

/// <summary>Chooses a service's storage engine from <c>Storage:Provider</c> and wires PostgreSQL when it is chosen.</summary>
public static class StorageExtensions
{
    /// <summary>
    /// Registers the validated <see cref="StorageOptions"/> and, for PostgreSQL, the service's data source through
    /// Aspire.Npgsql (health check, metrics, tracing), its <see cref="PostgresDatabase"/> and the start-up migration step.
    /// Returns the engine the caller registers its stores for; a bad setting is refused at once with a sentence naming the key.
    /// <paramref name="configureDataSource"/> tunes the service's data source (e.g. statement preparation).
    /// </summary>
    public static StorageProvider AddRdsStorage(this IHostApplicationBuilder builder, string connectionName, PostgresSchema schema,
        Action<NpgsqlDataSourceBuilder>? configureDataSource = null)
    {
        var section = builder.Configuration.GetSection(StorageOptions.SectionName);
        var configuration = builder.Configuration;
        var validator = new StorageOptionsValidator(connectionName, () => configuration.GetConnectionString(connectionName));
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>>(validator);
        builder.Services.AddOptions<StorageOptions>().Bind(section).ValidateOnStart();

        // The engine decides which stores are registered, so a bad setting is refused here, before the container is built.
        var options = section.Get<StorageOptions>() ?? new StorageOptions();
        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(StorageOptions), result.Failures);
        }

        if (options.ParsedProvider != StorageProvider.Postgres)
        {
            return StorageProvider.Sqlite;
        }

        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: configureDataSource);
        builder.Services.AddSingleton(sp => new PostgresDatabase(
            sp.GetRequiredService<NpgsqlDataSource>(), schema, sp.GetRequiredService<ILogger<PostgresDatabase>>()));
        builder.Services.AddHostedService<PostgresMigrationStep>();
        return StorageProvider.Postgres;
    }

    /// <summary>The SQLite folder from <c>Storage:DataDirectory</c>, absolute, created.</summary>
    public static string SqliteDataDirectory(this IHostApplicationBuilder builder)
    {
        var configured = builder.Configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.DataDirectory)}"];
        var directory = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "data" : configured, builder.Environment.ContentRootPath);
        Directory.CreateDirectory(directory);
        return directory;
    }
}

/// <summary>Applies the service's PostgreSQL migrations as the host starts, so a schema that cannot be brought up stops the start.</summary>
internal sealed class PostgresMigrationStep(PostgresDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
