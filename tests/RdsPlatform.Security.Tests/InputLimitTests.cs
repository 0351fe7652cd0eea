using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults.Clock;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.Testing;

namespace RdsPlatform.Security.Tests;

/// <summary>Every input has limits; a refused input names its field and changes nothing.</summary>
public sealed class InputLimitTests : IAsyncLifetime
{
    private readonly Platform _platform = new();

    public async Task InitializeAsync()
    {
        await _platform.ActivateAndInstallAsync();
        await _platform.ConfigureHostAsync("host-1");
        await _platform.ConnectAsync("host-1", "device-1");
    }

    public async Task DisposeAsync() => await _platform.DisposeAsync();

    [Theory]
    [InlineData("AAAAA-BBBBB-CCCCC-DDDDD-0000\0", "retail_code")]
    [InlineData("AAAAA-BBBBB-CCCCC-DDDDD-0000\n", "retail_code")]
    public async Task AKeyPackWithControlCharactersIsRefusedAndNothingIsInstalled(string code, string field)
    {
        var before = await StateAsync();

        var error = await Requests.RefusedAsync(() => _platform.LicenseServerAs(TestKeys.Admin).InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = KeyPackProgram.Retail, RetailCode = code, ProductVersion = ProductVersion._2022, CalType = CalType.PerDevice, Count = 5,
        }));

        AssertRefused(error, field);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task UnknownEnumValuesAreRefusedWithTheFieldNamed()
    {
        var before = await StateAsync();
        var admin = _platform.LicenseServerAs(TestKeys.Admin);

        var install = await Requests.RefusedAsync(() => admin.InstallKeyPackAsync(new InstallKeyPackRequest
        {
            Program = (KeyPackProgram)99, RetailCode = "AAAAA-BBBBB-CCCCC-DDDDD-00002", ProductVersion = ProductVersion._2022, CalType = CalType.PerDevice, Count = 5,
        }));
        var list = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = admin.ListIssuedLicenses(new ListIssuedLicensesRequest { Status = (CalStatus)42 });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        var reports = await Requests.RefusedAsync(() => _platform.ReportingAs(TestKeys.Reporter).ListReportsAsync(new ListReportsRequest { Kind = (ReportKind)7 }));

        AssertRefused(install, "program");
        AssertRefused(list, "status");
        AssertRefused(reports, "kind");
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task OversizedAndControlCharacterConnectionFieldsAreRefusedAndNoLicenseIsIssued()
    {
        var before = await StateAsync();
        var client = _platform.GatewayAs(TestKeys.Client);

        var huge = await Requests.RefusedAsync(() => client.ConnectAsync(new ConnectRequest
        {
            HostId = "host-1", Device = new Device { HardwareId = new string('x', 10_000) }, User = new User { Domain = "CONTOSO", Name = "bob" },
        }));
        var control = await Requests.RefusedAsync(() => client.ConnectAsync(new ConnectRequest
        {
            HostId = "host-1", Device = new Device { HardwareId = "dev\u0007ice" }, User = new User { Domain = "CONTOSO", Name = "b\u0000b" },
        }));
        var certificate = await Requests.RefusedAsync(() => client.ConnectAsync(new ConnectRequest
        {
            HostId = "host-1", Device = new Device { HardwareId = "device-9" },
            PresentedCertificate = new CalCertificate { Data = ByteString.CopyFrom(new byte[100_000]) },
        }));

        AssertRefused(huge, "device.hardware_id");
        AssertRefused(control, "device.hardware_id", "user.name");
        AssertRefused(certificate, "presented_certificate.data");
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task InvalidHostSettingsAreRefusedAndNoHostIsRegistered()
    {
        var admin = _platform.GatewayAs(TestKeys.Admin);

        var error = await Requests.RefusedAsync(() => admin.ConfigureSessionHostAsync(new ConfigureSessionHostRequest
        {
            HostId = "bad\nhost", Version = ProductVersion._2022, LicensingMode = LicensingMode.PerDevice,
            LicenseServers = { Enumerable.Range(0, 50).Select(i => $"server-{i}") },
        }));
        var lookup = await Requests.RefusedAsync(() => admin.GetSessionHostAsync(new GetSessionHostRequest { HostId = "bad\nhost" }));

        AssertRefused(error, "host_id", "license_servers");
        Assert.Equal(StatusCode.InvalidArgument, lookup.StatusCode);
    }

    [Fact]
    public async Task AReportRequestWithAControlCharacterDomainIsRefusedAndNothingIsStored()
    {
        var reporter = _platform.ReportingAs(TestKeys.Reporter);

        var error = await Requests.RefusedAsync(() => reporter.GenerateReportAsync(new GenerateReportRequest { Kind = ReportKind.PerUser, Domain = "CONTOSO\r\nX" }));
        var negativePage = await Requests.RefusedAsync(() => reporter.ListReportsAsync(new ListReportsRequest { PageSize = -1 }));
        var forgedToken = await Requests.RefusedAsync(() => reporter.ListReportsAsync(new ListReportsRequest { PageToken = new string('A', 5000) }));

        AssertRefused(error, "domain");
        AssertRefused(negativePage, "page_size");
        AssertRefused(forgedToken, "page_token");
        Assert.Empty((await reporter.ListReportsAsync(new ListReportsRequest())).Reports);
    }

    [Fact]
    public async Task AnAdvanceFarOutOfRangeIsRefusedNotCrashed()
    {
        await using var simulated = new Platform(allServiceSettings: new Dictionary<string, string?> { ["Clock:Mode"] = "Simulated" });
        var clock = new Clock.ClockClient(simulated.LicenseServer(TestKeys.Admin));

        var error = await Requests.RefusedAsync(() => clock.AdvanceAsync(new AdvanceRequest { By = new Google.Protobuf.WellKnownTypes.Duration { Seconds = long.MaxValue } }));

        AssertRefused(error, "by");
    }

    [Fact]
    public async Task SimulatedTimeRunsAtMostACenturyAheadAndARefusedAdvanceMovesNothing()
    {
        await using var simulated = new Platform(allServiceSettings: new Dictionary<string, string?> { ["Clock:Mode"] = "Simulated" });
        var clock = new Clock.ClockClient(simulated.LicenseServer(TestKeys.Admin));
        var tenYears = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(ClockOptions.MaxAdvance);
        for (var i = 0; i < 10; i++)
        {
            await clock.AdvanceAsync(new AdvanceRequest { By = tenYears });
        }

        var error = await Requests.RefusedAsync(() => clock.AdvanceAsync(new AdvanceRequest { By = tenYears }));

        AssertRefused(error, "by");
        Assert.Contains("at most 36525 days ahead of the wall clock; it is 36500 days ahead, so it can be advanced by at most 25 more days", error.Status.Detail);
        // Nothing moved: exactly the 25 days left are still there to take.
        var last = await clock.AdvanceAsync(new AdvanceRequest { By = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(25)) });
        Assert.Equal(ClockOptions.MaxOffset, last.Offset.ToTimeSpan());
    }

    [Fact]
    public async Task AMessageOverFourMebibytesIsRefusedAsResourceExhausted()
    {
        var before = await StateAsync();

        var error = await Requests.RefusedAsync(() => _platform.LicenseServerAs(TestKeys.Admin).DeactivateServerAsync(
            new DeactivateServerRequest { Reason = new string('r', RdsPlatform.ServiceDefaults.RpcLimits.MaxReceiveMessageBytes + 10) }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task BytesThatAreNotTheRequestMessageAreRefusedAsInvalidArgument()
    {
        var http = _platform.LicenseServerHost.Server.CreateClient();
        byte[][] bodies = [[0, 0, 0, 0, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [1, 0, 0, 0, 1, 0x08], [0, 0, 0, 0, 50, 0x08], [7], []];
        var before = await StateAsync();

        foreach (var body in bodies)
        {
            var (status, message) = await RawCallAsync(http, "/rds.licensing.v1.LicenseServer/InstallKeyPack", body, TestKeys.Admin);

            Assert.Equal(((int)StatusCode.InvalidArgument).ToString(), status);
            Assert.Contains("could not be read", message);
        }

        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task AStreamThatOutlivesTheServersLimitEndsWithDeadlineExceeded()
    {
        var interceptor = new StreamDurationInterceptor(Microsoft.Extensions.Options.Options.Create(new RpcOptions { MaxStreamDuration = TimeSpan.FromMilliseconds(200) }));
        var context = new FakeCallContext();

        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.ServerStreamingServerHandler<string, string>(
            "request", null!, context, async (_, _, bounded) => await Task.Delay(Timeout.Infinite, bounded.CancellationToken)));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("limit", error.Status.Detail);
    }

    /// <summary>Sends one raw gRPC request (a body of arbitrary bytes) and reads grpc-status and grpc-message.</summary>
    public static async Task<(string Status, string Message)> RawCallAsync(HttpClient http, string path, byte[] body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Version = new Version(2, 0), Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", $"Bearer {key}");
        }

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        string Read(string name) =>
            response.TrailingHeaders.TryGetValues(name, out var trailer) ? trailer.First()
            : response.Headers.TryGetValues(name, out var header) ? header.First() : "";
        return (Read("grpc-status"), Uri.UnescapeDataString(Read("grpc-message")));
    }

    private static void AssertRefused(RpcException error, params string[] fields)
    {
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violations = error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToList() ?? [];
        foreach (var field in fields)
        {
            Assert.Contains(field, violations);
        }
    }

    private Task<string> StateAsync() => StateSnapshot.TakeAsync(_platform);
}
