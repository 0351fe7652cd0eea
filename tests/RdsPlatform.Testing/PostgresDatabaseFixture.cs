using Xunit;

namespace RdsPlatform.Testing;

/// <summary>
/// A fresh PostgreSQL database for one test class (an xunit class fixture) on the run's shared
/// <see cref="PostgresServer"/>. Without PostgreSQL installed it fails with a message naming the Debian package.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private string? _connectionString;

    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The database is created in InitializeAsync.");

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.SharedAsync();
        _connectionString = await Server.CreateDatabaseAsync("rds");
    }

    /// <summary>Another empty database on the same server, for a test that needs one to itself.</summary>
    public Task<string> CreateDatabaseAsync(string prefix) => Server.CreateDatabaseAsync(prefix);

    // The databases go with the server's folder at the end of the run.
    public Task DisposeAsync() => Task.CompletedTask;
}
