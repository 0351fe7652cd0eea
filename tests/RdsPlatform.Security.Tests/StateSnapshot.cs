using System.Text;
using Grpc.Core;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// What a refused call must not change, as text to compare: the license server's activation, key packs, issued CALs
/// and audit trail (refusals it audits on purpose, ISSUANCE_FAILED, are left out), the stored reports, and the settings
/// of the session hosts the tests use.
/// </summary>
public static class StateSnapshot
{
    public static readonly string[] WatchedHosts = ["host-1", "host-2", "outsider", "allowed-host"];

    public static async Task<string> TakeAsync(Platform platform)
    {
        var text = new StringBuilder();
        var admin = platform.LicenseServerAs(TestKeys.Admin);
        var info = (await admin.GetServerInfoAsync(new GetServerInfoRequest())).Server;
        text.AppendLine($"activation {info.ActivationState} {info.Contact}");
        text.AppendLine((await admin.ListKeyPacksAsync(new ListKeyPacksRequest())).ToString());
        foreach (var license in await platform.IssuedAsync())
        {
            text.AppendLine(license.ToString());
        }

        foreach (var audit in (await platform.AuditAsync()).Where(a => a.Type != AuditEventType.IssuanceFailed))
        {
            text.AppendLine($"audit {audit.Sequence} {audit.Type} {audit.LicenseId}");
        }

        var reports = await platform.ReportingAs(TestKeys.Admin).ListReportsAsync(new ListReportsRequest { PageSize = 100 });
        text.AppendLine(string.Join(",", reports.Reports.Select(r => r.ReportId)));
        var gateway = platform.GatewayAs(TestKeys.Admin);
        foreach (var host in WatchedHosts)
        {
            try
            {
                var settings = (await gateway.GetSessionHostAsync(new GetSessionHostRequest { HostId = host })).Host;
                text.AppendLine($"host {settings.HostId} {settings.Version} {settings.LicensingMode} {settings.LicenseServers} {settings.PreventLicenseUpgrade} {settings.GracePeriodStartedAt}");
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                text.AppendLine($"host {host} none");
            }
        }

        return text.ToString();
    }
}
