using RdsPlatform.Reporting.Grpc;
using RdsPlatform.Testing;
using LicenseServerService = RdsPlatform.LicenseServer.Grpc.LicenseServerService;

namespace RdsPlatform.Reporting.Tests;

/// <summary>Reports over HTTP/JSON on reporting's JSON API port, through real sockets.</summary>
public sealed class HttpApiTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-kestrel-tests", onKestrel: true);
    private readonly ServiceAddresses _licenseServer;
    private readonly ServiceAddresses _reporting;

    public HttpApiTests()
    {
        _licenseServer = _services.Start<LicenseServerService>("license-server").Addresses!;
        var address = _licenseServer.Grpc.ToString();
        _reporting = _services.Start<ReportingService>("reporting",
            s => s.Set("Reporting:LicenseServerAddress", address)).Addresses!;
    }

    [Fact]
    public async Task AReporterGeneratesAReportAndPagesItsEntries()
    {
        using var admin = new JsonApi(_licenseServer.HttpApi, TestKeys.Admin);
        await admin.PostAsync("/v1/key-packs", """
            {"program":"KEY_PACK_PROGRAM_RETAIL","retailCode":"AAAAA-BBBBB-CCCCC-DDDDD-00003",
             "productVersion":"PRODUCT_VERSION_2022","calType":"CAL_TYPE_PER_USER","count":5}
            """);
        using var reporter = new JsonApi(_reporting.HttpApi, TestKeys.Reporter);

        var generated = await reporter.PostAsync("/v1/reports", """{"kind":"REPORT_KIND_SUMMARY"}""");
        Assert.True(generated.Status == 200, generated.ToString());
        var id = generated.Json.GetProperty("report").GetProperty("reportId").GetString();
        var listed = await reporter.GetAsync("/v1/reports?page_size=10");
        var entries = await reporter.GetAsync($"/v1/reports/{id}/entries?page_size=1");
        var summary = await reporter.GetAsync("/v1/compliance-summary");
        var deleted = await reporter.DeleteAsync($"/v1/reports/{id}");
        var gone = await reporter.GetAsync($"/v1/reports/{id}/entries");

        Assert.Contains(id!, listed.Body);
        Assert.True(entries.Status == 200, entries.ToString());
        var entry = Assert.Single(entries.Json.GetProperty("entries").EnumerateArray());
        Assert.Equal(5, entry.GetProperty("summary").GetProperty("installed").GetInt64());
        Assert.True(summary.Status == 200, summary.ToString());
        Assert.Equal(200, deleted.Status);
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task AForgedPageTokenIsAFieldViolationInJson()
    {
        using var reporter = new JsonApi(_reporting.HttpApi, TestKeys.Reporter);

        var reply = await reporter.GetAsync("/v1/reports?page_token=forged");

        Assert.True(reply.Status == 400, reply.ToString());
        Assert.Contains("start again with an empty page_token", reply.Json.GetProperty("message").GetString());
        var detail = Assert.Single(reply.Json.GetProperty("details").EnumerateArray());
        Assert.Equal("page_token", Assert.Single(detail.GetProperty("fieldViolations").EnumerateArray()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task ASessionHostKeyMayNotReadReports()
    {
        using var sessionHost = new JsonApi(_reporting.HttpApi, TestKeys.SessionHost);

        var reply = await sessionHost.GetAsync("/v1/reports");

        Assert.Equal(403, reply.Status);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();
}
