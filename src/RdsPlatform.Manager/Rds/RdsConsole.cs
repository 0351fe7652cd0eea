using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Contracts.Reporting.V1;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.Manager.Rds;

/// <summary>
/// The three services as one signed-in person sees them: their gRPC clients, and call options that carry that person's
/// API key (from the encrypted authentication cookie) and a deadline. One per circuit.
/// </summary>
public sealed class RdsConsole(
    LicenseServerClient licenseServer,
    GatewayClient gateway,
    ReportingClient reporting,
    Clock.ClockClient clock,
    AuthenticationStateProvider authentication,
    IOptions<ManagerOptions> options)
{
    public LicenseServerClient LicenseServer => licenseServer;

    public GatewayClient Gateway => gateway;

    public ReportingClient Reporting => reporting;

    public Clock.ClockClient Clock => clock;

    /// <summary>Options of an ordinary call: the caller's key and <see cref="ManagerOptions.CallDeadline"/>.</summary>
    public Task<CallOptions> CallAsync(CancellationToken cancellationToken = default) => OptionsAsync(options.Value.CallDeadline, cancellationToken);

    /// <summary>Options of a long call (report generation, export).</summary>
    public Task<CallOptions> LongCallAsync(CancellationToken cancellationToken = default) => OptionsAsync(options.Value.LongCallDeadline, cancellationToken);

    public async Task<CallOptions> OptionsAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return For(state.User, deadline, cancellationToken);
    }

    /// <summary>Call options for a signed-in principal; used by endpoints outside a circuit too (the CSV download).</summary>
    public static CallOptions For(ClaimsPrincipal user, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var key = user.FindFirst(ManagerClaims.ApiKey)?.Value
            ?? throw new InvalidOperationException("No one is signed in: the page should have sent the browser to the sign-in page.");
        return WithKey(key, deadline, cancellationToken);
    }

    public static CallOptions WithKey(string key, TimeSpan deadline, CancellationToken cancellationToken) =>
        new(new Metadata { { "authorization", "Bearer " + key } }, DateTime.UtcNow + deadline, cancellationToken);
}

/// <summary>The claims of the manager's authentication cookie (Data Protection encrypts the whole ticket).</summary>
public static class ManagerClaims
{
    /// <summary>The API key the person signed in with; forwarded on each call, never shown or logged.</summary>
    public const string ApiKey = "rds:api-key";

    public const string AdminRole = "admin";

    public const string ReporterRole = "reporter";
}
