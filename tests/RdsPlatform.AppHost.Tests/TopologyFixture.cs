using Aspire.Hosting;
using Npgsql;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// The default topology of the shared <see cref="AppHostTopology"/>: the license server has the AppHost's defaults
/// (2025, domain scope), and the cache server must be healthy too.
/// </summary>
public class TopologyFixture : AppHostTopology
{
    public static readonly string[] Services = [ResourceNames.LicenseServer, ResourceNames.SessionHost, ResourceNames.Reporting];

    protected override IEnumerable<string> Resources => Services.Prepend(ResourceNames.CacheServer);

    /// <summary>A connection string to one service's database on the AppHost's PostgreSQL server (a topology with <c>Database:Mode=postgres</c>).</summary>
    public async Task<string> DatabaseAsync(string database) =>
        new NpgsqlConnectionStringBuilder(await App.GetConnectionStringAsync(DatabaseResourceNames.Postgres)) { Database = database }.ToString();
}

/// <summary>
/// A second topology, started from the AppHost's license server settings: a Windows Server 2019 license server of a
/// workgroup. Shared by every test that needs it, since a topology costs seconds to start and stop.
/// </summary>
public sealed class WorkgroupTopologyFixture : TopologyFixture
{
    public const string Version = "2019";
    public const string Scope = "Workgroup";

    protected override IEnumerable<string> Arguments =>
        [$"--LicenseServer:Version={Version}", $"--LicenseServer:Scope={Scope}", "--LicenseServer:Domain=FABRIKAM"];
}

// Both topologies belong to one collection so that they start one after the other and their tests never run at the same time.
[CollectionDefinition(Name)]
public sealed class TopologyCollection : ICollectionFixture<TopologyFixture>, ICollectionFixture<WorkgroupTopologyFixture>
{
    public const string Name = "topology";
}
