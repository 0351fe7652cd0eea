using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace RdsPlatform.ServiceDefaults.Http;

/// <summary>
/// Which of a service's listening ports are not its gRPC port. Kestrel cannot serve HTTP/1.1 and cleartext HTTP/2
/// (prior knowledge) on one port, so gRPC keeps Http2-only endpoints and these ports get HTTP/1.1: the JSON API for
/// scripts, and the management port Prometheus scrapes. The ports are matched on the address a connection arrived at,
/// so they can come from <c>ASPNETCORE_URLS</c> (as the AppHost passes them) or from any other Kestrel configuration.
/// </summary>
public sealed class PortsOptions
{
    public const string SectionName = "Ports";

    /// <summary>HTTP/1.1 port of the JSON API (gRPC JSON transcoding, OpenAPI); null when the service serves gRPC only.</summary>
    [Range(1, 65_535, ErrorMessage = "Ports:HttpApi must be a TCP port from 1 to 65535.")]
    public int? HttpApi { get; set; }

    /// <summary>HTTP/1.1 port that serves <c>/metrics</c> to Prometheus without an API key; null for no scrape endpoint.</summary>
    [Range(1, 65_535, ErrorMessage = "Ports:Management must be a TCP port from 1 to 65535.")]
    public int? Management { get; set; }

    /// <summary>The protocols a listener on <paramref name="port"/> gets, or null to keep the configured default (Http2 for gRPC).</summary>
    public HttpProtocols? ProtocolsFor(int port) =>
        port == Management ? HttpProtocols.Http1
        // Http1AndHttp2: HTTP/2 where TLS negotiates it (a deployment with certificates), HTTP/1.1 in cleartext.
        : port == HttpApi ? HttpProtocols.Http1AndHttp2
        : null;
}
