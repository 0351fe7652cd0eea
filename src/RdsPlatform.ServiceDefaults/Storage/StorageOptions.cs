using Microsoft.Extensions.Options;

namespace RdsPlatform.ServiceDefaults.Storage;

/// <summary>The storage engines a service can keep its durable state in.</summary>
public enum StorageProvider
{
    /// <summary>A SQLite file in <c>Storage:DataDirectory</c>: the embedded default for one machine.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database reached through the service's own connection string.</summary>
    Postgres,
}

/// <summary>Configuration section <c>Storage</c>: which engine holds the service's durable state.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary><c>Sqlite</c> (default) or <c>Postgres</c>; kept as text so a typo is refused with a sentence, not a binder exception.</summary>
    public string Provider { get; set; } = nameof(StorageProvider.Sqlite);

    /// <summary>Folder of the service's SQLite file; relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The provider, or null when <see cref="Provider"/> names none.</summary>
    public StorageProvider? ParsedProvider =>
        Enum.TryParse<StorageProvider>(Provider, ignoreCase: true, out var provider) && Enum.IsDefined(provider) ? provider : null;
}

/// <summary>Refuses a start whose storage settings cannot work, naming the key to fix.</summary>
internal sealed class StorageOptionsValidator(string connectionName, Func<string?> connectionString) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var provider = options.ParsedProvider;
        if (provider is null)
        {
            return ValidateOptionsResult.Fail(
                $"Storage:Provider '{options.Provider}' is unknown; use Sqlite (a file in Storage:DataDirectory) or Postgres (ConnectionStrings:{connectionName}).");
        }

        if (provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(connectionString()))
        {
            return ValidateOptionsResult.Fail(
                $"Storage:Provider is Postgres but ConnectionStrings:{connectionName} is not set; set it (e.g. Host=db.example;Database={connectionName};Username=...) or use Storage:Provider=Sqlite.");
        }

        return ValidateOptionsResult.Success;
    }
}
