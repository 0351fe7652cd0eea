using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.ServiceDefaults.Clock;
using RdsPlatform.Testing;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>
/// A license server from the shared <see cref="ServiceFarm"/>, on a real SQLite file in its own temp folder, with
/// simulated time moved through its Clock service, reached through a real gRPC channel. <see cref="RestartAsync"/> starts
/// a new host on the same folder.
/// </summary>
public sealed class LicenseServerHost : IAsyncDisposable
{
    private readonly ServiceFarm _farm = new("rds-ls-tests");
    private readonly ServiceHost<LicenseServerService> _host;

    public LicenseServerHost(IDictionary<string, string?>? settings = null, Action<ServiceSetup>? configure = null)
    {
        _host = _farm.Start<LicenseServerService>("license-server", setup =>
        {
            setup.SimulatedClock = true;
            setup.SetAll(settings);
            configure?.Invoke(setup);
        });
    }

    public string DataDirectory => _host.DataDirectory;

    public LicenseServerClient Client => new(_host.WithRoleKeys(typeof(LicenseServerService)));

    public GrpcChannel Channel => _host.Channel;

    public Clock.ClockClient Clock => new(_host.WithRoleKeys(typeof(ClockService)));

    public IServiceProvider Services => _host.Services;

    public Task RestartAsync() => _host.RestartAsync();

    public async Task AdvanceAsync(TimeSpan by) =>
        await Clock.AdvanceAsync(new AdvanceRequest { By = Duration.FromTimeSpan(by) });

    public ValueTask DisposeAsync() => _farm.DisposeAsync();
}
