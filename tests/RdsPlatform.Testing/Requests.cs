using Google.Rpc;
using Grpc.Core;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using Xunit;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.Testing;

/// <summary>The requests tests send again and again, built in one place, and ways to read refusals.</summary>
public static class Requests
{
    /// <summary>The session host the license server requests name unless a test names another.</summary>
    public const string HostId = "host-1";

    /// <summary>The license server a configured session host uses unless a test names others.</summary>
    public const string LicenseServerName = "license-server";

    private static int _codeCounter;

    public static InstallKeyPackRequest Retail(string code, CalType type = CalType.PerDevice, ProductVersion version = ProductVersion._2022, int count = 10) => new()
    {
        Program = KeyPackProgram.Retail,
        RetailCode = code,
        CalType = type,
        ProductVersion = version,
        Count = count,
    };

    /// <summary>A fresh valid retail code, counted (readable in failures).</summary>
    public static string NewCode() => $"AAAAA-BBBBB-CCCCC-DDDDD-{Interlocked.Increment(ref _codeCounter):D5}";

    /// <summary>A fresh valid retail code, random (unique across processes and farms).</summary>
    public static string NewRandomCode()
    {
        var raw = Guid.NewGuid().ToString("N").ToUpperInvariant();
        return $"{raw[..5]}-{raw[5..10]}-{raw[10..15]}-{raw[15..20]}-{raw[20..25]}";
    }

    public static RequestLicenseRequest Device(string hardwareId, ProductVersion hostVersion = ProductVersion._2022, string hostId = HostId) => new()
    {
        SessionHostId = hostId,
        SessionHostVersion = hostVersion,
        CalType = CalType.PerDevice,
        HardwareId = hardwareId,
        ComputerName = $"PC-{hardwareId}",
    };

    public static RequestLicenseRequest User(string user, string domain = "CONTOSO", ProductVersion hostVersion = ProductVersion._2022, string hostId = HostId) => new()
    {
        SessionHostId = hostId,
        SessionHostVersion = hostVersion,
        CalType = CalType.PerUser,
        UserDomain = domain,
        UserName = user,
    };

    public static ContactDetails Contact(string? email = null)
    {
        var contact = new ContactDetails { FirstName = "Ada", LastName = "Lovelace", Company = "Contoso", Country = "GB" };
        if (email is not null)
        {
            contact.Email = email;
        }

        return contact;
    }

    public static ActivateServerRequest Activate(string? email = null) => new() { Contact = Contact(email) };

    public static ConfigureSessionHostRequest ConfigureHost(string hostId, LicensingMode mode, ProductVersion version = ProductVersion._2022,
        bool preventUpgrade = false, params string[] licenseServers) => new()
    {
        HostId = hostId,
        Version = version,
        LicensingMode = mode,
        LicenseServers = { licenseServers.Length == 0 ? [LicenseServerName] : licenseServers },
        PreventLicenseUpgrade = preventUpgrade,
    };

    public static ConnectRequest Connect(string hostId, string hardwareId, string domain = "CONTOSO", string userName = "alice", CalCertificate? presented = null) => new()
    {
        HostId = hostId,
        Device = new Device { HardwareId = hardwareId, ComputerName = $"PC-{hardwareId}" },
        User = new User { Domain = domain, Name = userName },
        PresentedCertificate = presented,
    };

    /// <summary>A GRACE_PERIOD_LOW alert a gateway sends about <paramref name="hostId"/>: 9 days left, raised at <paramref name="raisedAt"/>.</summary>
    public static RecordGatewayAlertRequest GatewayAlert(Guid alertId, string hostId, DateTimeOffset raisedAt) => new()
    {
        AlertId = alertId.ToString(),
        Type = AlertType.GracePeriodLow,
        SessionHostId = hostId,
        GraceDaysLeft = 9,
        GraceEndsAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(raisedAt.AddDays(8.5)),
        RaisedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(raisedAt),
    };

    /// <summary>A webhook subscription of <paramref name="url"/> to the given alert types.</summary>
    public static CreateWebhookSubscriptionRequest Webhook(Uri url, string secret, params AlertType[] types) =>
        new() { Url = url.ToString(), EventTypes = { types }, Secret = secret };

    public static async Task ActivateAsync(this LicenseServerClient client) =>
        await client.ActivateServerAsync(Activate());

    /// <summary>Installs a one-CAL Per Device pack of <paramref name="version"/> and issues its CAL for good: that pool runs out (one PoolNone alert).</summary>
    public static async Task RunOutAOneCalPoolAsync(this LicenseServerClient client, string hardwareId, ProductVersion version = ProductVersion._2022)
    {
        await client.InstallKeyPackAsync(Retail(NewCode(), version: version, count: 1));
        await client.PermanentDeviceAsync(hardwareId, version);
    }

    /// <summary>A permanent Per Device CAL: temporary, validated, then upgraded.</summary>
    public static async Task<RequestLicenseResponse> PermanentDeviceAsync(this LicenseServerClient client, string hardwareId, ProductVersion hostVersion = ProductVersion._2022)
    {
        var temporary = await client.RequestLicenseAsync(Device(hardwareId, hostVersion));
        await client.MarkLicenseValidatedAsync(new MarkLicenseValidatedRequest { LicenseId = temporary.License.LicenseId, SessionHostId = HostId });
        return await client.RequestLicenseAsync(Device(hardwareId, hostVersion));
    }

    public static async Task<List<T>> ToListAsync<T>(this AsyncServerStreamingCall<T> call)
    {
        var items = new List<T>();
        await foreach (var item in call.ResponseStream.ReadAllAsync())
        {
            items.Add(item);
        }

        return items;
    }

    public static async Task<RpcException> RefusedAsync<T>(Func<AsyncUnaryCall<T>> call) => await Assert.ThrowsAsync<RpcException>(async () => await call());

    public static IReadOnlyList<string> ViolatedFields(this RpcException ex) =>
        ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToList() ?? [];
}
