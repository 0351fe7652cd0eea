using System.Net;
using System.Net.Http.Headers;
using Aspire.Hosting;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>The AppHost's http-api and management endpoints of each service, called as a script and Prometheus would.</summary>
[Collection(TopologyCollection.Name)]
public sealed class HttpEndpointTests(TopologyFixture topology)
{
    [Theory]
    [InlineData(ResourceNames.LicenseServer, "/v1/key-packs", "rds_cal_overused")]
    [InlineData(ResourceNames.SessionHost, "/v1/session-hosts/no-such-host/grace-period", "rds_grace_hosts_in_grace")]
    [InlineData(ResourceNames.Reporting, "/v1/compliance-summary", "rds_auth_refused_total")]
    public async Task EveryServiceAnswersJsonOnItsHttpApiEndpointAndMetricsOnItsManagementEndpoint(string service, string path, string series)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(topology.App.GetEndpoint(service, "http-api"), path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestKeys.Admin);

        using var api = await http.SendAsync(request);
        using var anonymous = await http.GetAsync(new Uri(topology.App.GetEndpoint(service, "http-api"), path));
        var metrics = await http.GetStringAsync(new Uri(topology.App.GetEndpoint(service, "management"), "/metrics"));

        Assert.Equal("application/json", api.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(series, metrics);
    }
}
