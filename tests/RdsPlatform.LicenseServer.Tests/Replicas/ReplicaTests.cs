namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>A test class whose tests each get replicas on a fresh database of the run's PostgreSQL server.</summary>
public abstract class ReplicaTests(PostgresDatabaseFixture database, string prefix, IReadOnlyDictionary<string, string?>? settings = null)
    : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    protected LicenseServerReplicas Replicas { get; private set; } = null!;

    public async Task InitializeAsync() => Replicas = new(await database.CreateDatabaseAsync(prefix), settings);

    public async Task DisposeAsync() => await Replicas.DisposeAsync();
}
