using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests.Replicas;

/// <summary>
/// What the gateway replica tests share: a fresh PostgreSQL database per test on the run's server, one Garnet cache
/// for the class, and a <see cref="Farm"/> whose gateway (and every replica started from it) keeps its hosts there.
/// </summary>
public abstract class GatewayReplicaTests(PostgresDatabaseFixture database, GarnetFixture garnet)
    : IClassFixture<PostgresDatabaseFixture>, IClassFixture<GarnetFixture>
{
    protected GarnetFixture Garnet => garnet;

    protected async Task<Farm> FarmOnPostgresAsync(params (string Key, string Value)[] settings) =>
        await Farm.OnPostgresAsync(garnet.ConnectionString, await database.CreateDatabaseAsync("gateway"), settings);
}
