using Grpc.Core;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.ServiceDefaults.Clock;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.LicenseServer.Tests.Replicas;

/// <summary>
/// License-server replicas as a scaled-out farm runs them: separate hosts (each its own DI container, store, writer
/// and simulated clock) on ONE PostgreSQL database, each reached through its own real gRPC channel.
/// </summary>
public sealed class LicenseServerReplicas(string connectionString, IReadOnlyDictionary<string, string?>? settings = null) : IAsyncDisposable
{
    private readonly ServiceFarm _farm = new("rds-ls-replicas");

    public string ConnectionString => connectionString;

    public ServiceHost<LicenseServerService> Start(string name) =>
        _farm.Start<LicenseServerService>(name, setup =>
        {
            setup.SimulatedClock = true;
            setup.Settings["Storage:Provider"] = "Postgres";
            setup.Settings["ConnectionStrings:licensing"] = connectionString;
            setup.SetAll(settings);
        });

    /// <summary>Three replicas' clients, in start order.</summary>
    public LicenseServerClient[] StartThree() => [Client(Start("ls-a")), Client(Start("ls-b")), Client(Start("ls-c"))];

    public Task StopAsync(ServiceHost<LicenseServerService> replica) => _farm.StopAsync(replica);

    public static LicenseServerClient Client(ServiceHost<LicenseServerService> replica) => new(replica.WithRoleKeys(typeof(LicenseServerService)));

    public static Clock.ClockClient Clock(ServiceHost<LicenseServerService> replica) => new(replica.WithRoleKeys(typeof(ClockService)));

    /// <summary>One column of a query on the replicas' database, read as the test's own process would.</summary>
    public Task<List<T>> QueryAsync<T>(string sql) => PostgresColumn.ReadAsync<T>(connectionString, sql);

    /// <summary>The call's answer, or its status code when refused.</summary>
    public static async Task<(T? Answer, StatusCode Status)> TryAsync<T>(AsyncUnaryCall<T> call) where T : class
    {
        try
        {
            return (await call, StatusCode.OK);
        }
        catch (RpcException ex)
        {
            return (null, ex.StatusCode);
        }
    }

    public ValueTask DisposeAsync() => _farm.DisposeAsync();
}
