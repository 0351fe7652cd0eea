using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;

namespace RdsPlatform.LicenseServer.Tests;

public sealed class ConcurrencyTests : IAsyncLifetime
{
    private readonly LicenseServerHost _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ThreeHundredDevicesRacingForTenSeatsGetExactlyTen()
    {
        await _host.Client.ActivateAsync();
        await _host.Client.InstallKeyPackAsync(Requests.Retail(Requests.NewCode(), count: 10));
        var devices = Enumerable.Range(0, 300).Select(i => $"race-{i}").ToList();
        var temporaries = await Task.WhenAll(devices.Select(async d => await _host.Client.RequestLicenseAsync(Requests.Device(d))));
        await Task.WhenAll(temporaries.Select(async t =>
            await _host.Client.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = t.License.LicenseId })));

        var statuses = new List<StatusCode>();
        var answers = await Task.WhenAll(devices.Select(async d =>
        {
            try
            {
                return await _host.Client.RequestLicenseAsync(Requests.Device(d));
            }
            catch (RpcException ex)
            {
                lock (statuses)
                {
                    statuses.Add(ex.StatusCode);
                }

                return null;
            }
        }));

        Assert.Empty(statuses);
        Assert.Equal(10, answers.Count(a => a!.Reason == ReasonCode.CalUpgraded));
        Assert.Equal(290, answers.Count(a => a!.License.Status == CalStatus.Temporary));
        var permanent = await _host.Client.ListIssuedLicenses(new ListIssuedLicensesRequest { Status = CalStatus.Permanent }).ToListAsync();
        Assert.Equal(10, permanent.Count);
        var pack = Assert.Single((await _host.Client.ListKeyPacksAsync(new ListKeyPacksRequest())).KeyPacks);
        Assert.Equal((10, 0), (pack.Issued, pack.Available));
    }
}
