using Grpc.Core;
using OpenTelemetry;

namespace RdsPlatform.ServiceDefaults;

/// <summary>
/// Calls a service makes on its own schedule (the gateway tailing each license server's audit trail every 2 s) rather
/// than to serve a request. They are not traced on either side: a trace every few seconds per replica and license server
/// would bury the traces of real requests in the dashboard. Their metrics and logs are kept.
/// </summary>
public static class BackgroundCalls
{
    /// <summary>Request header that marks a background call; the receiving service's ASP.NET Core tracing skips it.</summary>
    public const string Header = "rds-background";

    /// <summary>Headers for a background call named <paramref name="purpose"/> (for example <c>revocation-feed</c>).</summary>
    public static Metadata Headers(string purpose) => new() { { Header, purpose } };

    /// <summary>No span of this process's instrumentation (gRPC client, HttpClient, Redis) until disposed; flows across awaits.</summary>
    public static IDisposable Untraced() => SuppressInstrumentationScope.Begin();
}
