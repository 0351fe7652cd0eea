using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace RdsPlatform.ServiceDefaults.Http;

/// <summary>The management port: Prometheus's <c>/metrics</c>, answered apart from the public gRPC endpoint and without a key.</summary>
public static class ManagementExtensions
{
    /// <summary>Path Prometheus scrapes on the management port.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Gives the JSON API and management ports (<see cref="PortsOptions"/>) HTTP/1.1; every other listener keeps Http2 for gRPC.</summary>
    public static IHostApplicationBuilder AddRdsPorts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PortsOptions>(PortsOptions.SectionName);
        var ports = builder.Configuration.GetSection(PortsOptions.SectionName).Get<PortsOptions>() ?? new PortsOptions();
        if (builder is WebApplicationBuilder web && (ports.HttpApi is not null || ports.Management is not null))
        {
            // Runs after the configuration's EndpointDefaults (Protocols: Http2), for URL and code listeners alike.
            web.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            {
                if (listen.IPEndPoint is { } endpoint && ports.ProtocolsFor(endpoint.Port) is { } protocols)
                {
                    listen.Protocols = protocols;
                }
            }));
        }

        return builder;
    }

    /// <summary>
    /// <c>GET /metrics</c> in the Prometheus text format, answered only on the management port and without an API key:
    /// the port is meant for the monitoring network, while the gRPC and JSON API ports face callers.
    /// </summary>
    public static WebApplication UseManagementEndpoint(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<PortsOptions>>().Value.Management is { } port)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(
                meterProvider: null,
                predicate: context => context.Connection.LocalPort == port && context.Request.Path == MetricsPath,
                path: null,
                configureBranchedPipeline: null,
                optionsName: null);
        }

        return app;
    }
}
