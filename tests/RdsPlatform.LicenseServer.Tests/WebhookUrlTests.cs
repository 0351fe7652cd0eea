using Grpc.Core;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.LicenseServer.Alerts;

namespace RdsPlatform.LicenseServer.Tests;

/// <summary>Webhooks are never sent to link-local (cloud metadata) addresses unless configured; loopback stays allowed.</summary>
public sealed class WebhookUrlTests
{
    private const string Secret = "whsec-url-0123456789";

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/security-credentials/")]
    [InlineData("https://169.254.1.2:8443/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://[febf::1]:8080/hook")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    public async Task ASubscriptionToALinkLocalAddressIsRefusedWithTheSettingThatAllowsIt(string url)
    {
        await using var host = new LicenseServerHost();

        var refused = await Requests.RefusedAsync(() => host.Client.CreateWebhookSubscriptionAsync(Subscription(url)));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(["url"], refused.ViolatedFields());
        Assert.Contains("is a link-local address", Detail(refused), StringComparison.Ordinal);
        Assert.Contains("Webhooks:AllowLinkLocalUrls", Detail(refused), StringComparison.Ordinal);
        Assert.Empty((await host.Client.ListWebhookSubscriptionsAsync(new ListWebhookSubscriptionsRequest())).Subscriptions);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("http://[::1]:9/hook")]
    [InlineData("http://localhost:9/hook")]
    [InlineData("https://10.0.0.5/hook")]
    public async Task LoopbackAndPrivateAddressesStayAllowed(string url)
    {
        await using var host = new LicenseServerHost();

        var created = await host.Client.CreateWebhookSubscriptionAsync(Subscription(url));

        Assert.Equal(new Uri(url).AbsoluteUri, created.Subscription.Url);
    }

    [Fact]
    public async Task ALinkLocalAddressIsAcceptedWhenTheSettingAllowsIt()
    {
        await using var host = new LicenseServerHost(new Dictionary<string, string?> { ["Webhooks:AllowLinkLocalUrls"] = "true" });

        var created = await host.Client.CreateWebhookSubscriptionAsync(Subscription("http://169.254.10.10/hook"));

        Assert.Equal("http://169.254.10.10/hook", created.Subscription.Url);
    }

    [Fact]
    public async Task TheDeliveryConnectionRefusesALinkLocalAddressBeforeSendingAnything()
    {
        using var client = new HttpClient(WebhookConnections.Handler(allowLinkLocal: false));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("http://169.254.169.254/latest/meta-data/", new StringContent("{}")));

        Assert.Contains("link-local", refused.Message, StringComparison.Ordinal);
    }

    private static CreateWebhookSubscriptionRequest Subscription(string url) => new()
    {
        Url = url,
        EventTypes = { AlertType.PoolNone },
        Secret = Secret,
    };

    private static string Detail(RpcException refused) =>
        string.Join(" ", refused.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.Select(v => v.Description) ?? []);
}
