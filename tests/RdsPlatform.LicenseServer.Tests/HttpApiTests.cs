using System.Text.Json;
using RdsPlatform.LicenseServer.Grpc;
using RdsPlatform.Testing;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>The license server's administrative RPCs over HTTP/JSON on its JSON API port, through real sockets.</summary>
public sealed class HttpApiTests : IAsyncLifetime
{
    private readonly ServiceFarm _services = new("rds-kestrel-tests", onKestrel: true);
    private readonly ServiceAddresses _addresses;

    public HttpApiTests() => _addresses = _services.Start<LicenseServerService>("license-server").Addresses!;

    [Fact]
    public async Task AnAdministratorInstallsAndListsKeyPacksWithJson()
    {
        using var admin = new JsonApi(_addresses.HttpApi, TestKeys.Admin);

        var installed = await admin.PostAsync("/v1/key-packs", """
            {"program":"KEY_PACK_PROGRAM_RETAIL","retailCode":"AAAAA-BBBBB-CCCCC-DDDDD-00001",
             "productVersion":"PRODUCT_VERSION_2022","calType":"CAL_TYPE_PER_DEVICE","count":25}
            """);
        var listed = await admin.GetAsync("/v1/key-packs");

        Assert.True(installed.Status == 200, installed.ToString());
        var id = installed.Json.GetProperty("keyPack").GetProperty("keyPackId").GetString();
        Assert.True(listed.Status == 200, listed.ToString());
        var pack = Assert.Single(listed.Json.GetProperty("keyPacks").EnumerateArray());
        Assert.Equal(id, pack.GetProperty("keyPackId").GetString());
        Assert.Equal(25, pack.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AServerIsActivatedAndALicenseRevokedByItsResourcePath()
    {
        using var admin = new JsonApi(_addresses.HttpApi, TestKeys.Admin);
        Assert.Equal(200, (await admin.PostAsync("/v1/server:activate",
            """{"contact":{"firstName":"Ada","lastName":"Lovelace","company":"Contoso","country":"GB"}}""")).Status);
        await admin.PostAsync("/v1/key-packs", """
            {"program":"KEY_PACK_PROGRAM_RETAIL","retailCode":"AAAAA-BBBBB-CCCCC-DDDDD-00002",
             "productVersion":"PRODUCT_VERSION_2022","calType":"CAL_TYPE_PER_DEVICE","count":10}
            """);
        using var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(_addresses.Grpc);
        var grpc = new Contracts.Licensing.V1.LicenseServer.LicenseServerClient(channel.WithRoleKeys(typeof(LicenseServerService)));
        var permanent = await grpc.PermanentDeviceAsync("hw-http-1");
        var user = await grpc.RequestLicenseAsync(Requests.User("alice"));

        var server = await admin.GetAsync("/v1/server");
        var devices = await admin.GetAsync("/v1/licenses?cal_type=CAL_TYPE_PER_DEVICE&status=CAL_STATUS_PERMANENT");
        var revoked = await admin.PostAsync($"/v1/licenses/{permanent.License.LicenseId}:revoke", "{}");

        Assert.Equal("ACTIVATION_STATE_ACTIVATED", server.Json.GetProperty("server").GetProperty("activationState").GetString());
        Assert.True(devices.Status == 200, devices.ToString());
        Assert.Contains(permanent.License.LicenseId, devices.Body);
        Assert.DoesNotContain(user.License.LicenseId, devices.Body);
        Assert.True(revoked.Status == 200, revoked.ToString());
        Assert.Equal("CAL_STATUS_REVOKED", revoked.Json.GetProperty("license").GetProperty("status").GetString());
        Assert.Equal(1, revoked.Json.GetProperty("revocableRemaining").GetInt32());
    }

    [Fact]
    public async Task ACallWithoutAKeyIsUnauthorizedWithTheSameSentenceAsGrpc()
    {
        using var anonymous = new JsonApi(_addresses.HttpApi, key: null);

        var reply = await anonymous.GetAsync("/v1/key-packs");

        Assert.Equal(401, reply.Status);
        Assert.Equal("application/json", reply.MediaType);
        Assert.Equal(16, reply.Json.GetProperty("code").GetInt32());
        Assert.StartsWith("/rds.licensing.v1.LicenseServer/ListKeyPacks needs an API key", reply.Json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AKeyOfAnotherRoleIsForbidden()
    {
        using var client = new JsonApi(_addresses.HttpApi, TestKeys.Client);

        var reply = await client.PostAsync("/v1/key-packs", "{}");

        Assert.Equal(403, reply.Status);
        Assert.Equal(7, reply.Json.GetProperty("code").GetInt32());
        Assert.Contains("use a key with the role admin", reply.Json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ABadFieldComesBackAsAFieldViolationInTheJsonStatusAndInstallsNothing()
    {
        using var admin = new JsonApi(_addresses.HttpApi, TestKeys.Admin);

        var reply = await admin.PostAsync("/v1/key-packs", """
            {"program":"KEY_PACK_PROGRAM_RETAIL","retailCode":"not-a-code",
             "productVersion":"PRODUCT_VERSION_2022","calType":"CAL_TYPE_PER_DEVICE","count":5}
            """);

        Assert.True(reply.Status == 400, reply.ToString());
        Assert.Equal(3, reply.Json.GetProperty("code").GetInt32());
        var detail = Assert.Single(reply.Json.GetProperty("details").EnumerateArray());
        Assert.Equal("type.googleapis.com/google.rpc.BadRequest", detail.GetProperty("@type").GetString());
        var violation = Assert.Single(detail.GetProperty("fieldViolations").EnumerateArray());
        Assert.Equal("retail_code", violation.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(violation.GetProperty("description").GetString()));
        Assert.Empty((await admin.GetAsync("/v1/key-packs")).Json.GetProperty("keyPacks").EnumerateArray());
    }

    [Fact]
    public async Task AWebhookToAFileUrlIsRefusedOverHttpAndAnHttpsOneIsCreated()
    {
        using var admin = new JsonApi(_addresses.HttpApi, TestKeys.Admin);

        var refused = await admin.PostAsync("/v1/webhooks",
            """{"url":"file:///etc/passwd","eventTypes":["ALERT_TYPE_POOL_NONE"],"secret":"0123456789abcdef"}""");
        var created = await admin.PostAsync("/v1/webhooks",
            """{"url":"https://hooks.example/rds","eventTypes":["ALERT_TYPE_POOL_NONE"],"secret":"0123456789abcdef"}""");
        var listed = await admin.GetAsync("/v1/webhooks");

        Assert.True(refused.Status == 400, refused.ToString());
        var violation = Assert.Single(Assert.Single(refused.Json.GetProperty("details").EnumerateArray()).GetProperty("fieldViolations").EnumerateArray());
        Assert.Equal("url", violation.GetProperty("field").GetString());
        Assert.True(created.Status == 200, created.ToString());
        var subscription = Assert.Single(listed.Json.GetProperty("subscriptions").EnumerateArray());
        Assert.Equal("https://hooks.example/rds", subscription.GetProperty("url").GetString());
        Assert.DoesNotContain("0123456789abcdef", listed.Body);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheResourcePathsFromTheProtoComments()
    {
        using var anonymous = new JsonApi(_addresses.HttpApi, key: null);

        var document = await anonymous.GetAsync("/openapi/v1.json");
        var reference = await anonymous.GetAsync("/scalar/v1");

        Assert.True(document.Status == 200, document.ToString());
        var paths = document.Json.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/key-packs", out var keyPacks), document.Body);
        Assert.True(keyPacks.TryGetProperty("post", out var install));
        Assert.Contains("Installs a key pack", install.GetRawText());
        Assert.True(paths.TryGetProperty("/v1/licenses/{licenseId}:revoke", out _), string.Join(", ", paths.EnumerateObject().Select(p => p.Name)));
        Assert.False(paths.TryGetProperty("/rds.licensing.v1.LicenseServer/RequestLicense", out _));
        Assert.Equal(200, reference.Status);
        Assert.Equal("text/html", reference.MediaType);
    }

    /// <summary>The streaming routes answer newline-delimited JSON, as docs/http-api.md tells scripts to read them.</summary>
    [Fact]
    public async Task TheAuditTrailRouteAnswersOneJsonObjectPerLine()
    {
        using var admin = new JsonApi(_addresses.HttpApi, TestKeys.Admin);
        await admin.PostAsync("/v1/server:activate", """{"contact":{"firstName":"Ada","lastName":"Lovelace","company":"Contoso","country":"GB"}}""");
        await admin.PostAsync("/v1/key-packs", """
            {"program":"KEY_PACK_PROGRAM_RETAIL","retailCode":"AAAAA-BBBBB-CCCCC-DDDDD-00031",
             "productVersion":"PRODUCT_VERSION_2022","calType":"CAL_TYPE_PER_DEVICE","count":5}
            """);

        var stream = await admin.GetAsync("/v1/audit-events?types=AUDIT_EVENT_TYPE_SERVER_ACTIVATED&types=AUDIT_EVENT_TYPE_KEY_PACK_INSTALLED");

        Assert.True(stream.Status == 200, stream.ToString());
        var lines = stream.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["AUDIT_EVENT_TYPE_SERVER_ACTIVATED", "AUDIT_EVENT_TYPE_KEY_PACK_INSTALLED"],
            lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("type").GetString()));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _services.DisposeAsync();
}
