using Grpc.Core;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Licensing;
using RdsPlatform.SessionHost.Hosts;
using RdsPlatform.SessionHost.LicenseServers;
using RdsPlatform.ServiceDefaults.Mapping;

namespace RdsPlatform.SessionHost.Diagnostics;

/// <summary>Checks a session host's licensing configuration the way RD Licensing Diagnoser does; each finding says what to do.</summary>
public sealed class Diagnoser(LicenseServerRegistry servers, TimeProvider time)
{
    public async Task<List<Finding>> DiagnoseAsync(SessionHostSettings host, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        var now = time.GetUtcNow();
        var daysLeft = GracePeriod.DaysLeft(host.GraceStartedAt, now);
        var inGrace = daysLeft > 0;
        var blocking = inGrace ? Severity.Warning : Severity.Error;

        findings.Add(host.Mode == LicensingMode.NotConfigured
            ? Finding(blocking, "MODE_NOT_CONFIGURED", "The Remote Desktop licensing mode is not configured for this session host.",
                "Configure the licensing mode (Per Device or Per User) with ConfigureSessionHost.")
            : Finding(Severity.Ok, "MODE_CONFIGURED", $"The licensing mode is {(host.Mode == LicensingMode.PerDevice ? "Per Device" : "Per User")}.", ""));

        findings.Add(inGrace
            ? Finding(daysLeft <= 14 ? Severity.Warning : Severity.Info, "GRACE_PERIOD_ACTIVE",
                $"The licensing grace period has {daysLeft} days left (it ends {GracePeriod.EndsAt(host.GraceStartedAt):yyyy-MM-dd}).",
                "Make sure a license server with CALs answers this host before the grace period ends.")
            : Finding(Severity.Info, "GRACE_PERIOD_EXPIRED", "The licensing grace period has ended; every connection needs a license server.", ""));

        if (host.LicenseServers.Count == 0)
        {
            findings.Add(Finding(blocking, "NO_LICENSE_SERVER_CONFIGURED", "No license server is specified for this session host.",
                "Specify at least one license server with ConfigureSessionHost."));
        }

        foreach (var entry in host.LicenseServers)
        {
            await DiagnoseServerAsync(host, entry, blocking, findings, cancellationToken);
        }

        return findings;
    }

    public static Severity Overall(IEnumerable<Finding> findings) => findings.Select(f => f.Severity).DefaultIfEmpty(Severity.Ok).Max();

    private async Task DiagnoseServerAsync(SessionHostSettings host, string entry, Severity blocking, List<Finding> findings, CancellationToken cancellationToken)
    {
        var server = servers.Get(entry);
        var info = await servers.ProbeServerInfoAsync(server, cancellationToken);
        if (info is null && server.LastRefusal is { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied } refusal)
        {
            findings.Add(Finding(Severity.Error, "LICENSE_SERVER_REFUSED_GATEWAY",
                $"The license server {entry} ({server.Address}) refused the gateway ({refusal.StatusCode}: {refusal.Status.Detail})",
                "Set Gateway:LicenseServerApiKey to a session-host key (HostIds *) that this license server accepts in its Auth:Keys.", entry));
            return;
        }

        if (info is null)
        {
            findings.Add(Finding(Severity.Error, "LICENSE_SERVER_UNREACHABLE", $"The license server {entry} ({server.Address}) is not available.",
                "Check that the license server is running and reachable from the gateway, and that its name or address is right.", entry));
            return;
        }

        findings.Add(Finding(Severity.Ok, "LICENSE_SERVER_REACHABLE", $"The license server {entry} answered (server id {info.ServerId}).", "", entry));

        var serverVersion = ContractMapping.ToCore(info.Version);
        if (serverVersion is { } version && version < host.Version)
        {
            findings.Add(Finding(Severity.Error, "LICENSE_SERVER_VERSION_INCOMPATIBLE",
                $"The license server {entry} runs {VersionCompatibility.ServerName(version)}, older than this {VersionCompatibility.ServerName(host.Version)} session host; it cannot host {VersionCompatibility.CalName(host.Version)} CALs.",
                $"Use a license server running {VersionCompatibility.ServerName(host.Version)} or later.", entry));
        }

        if (info.ActivationState != Contracts.Licensing.V1.ActivationState.Activated)
        {
            findings.Add(Finding(host.Mode == LicensingMode.PerDevice ? blocking : Severity.Warning, "LICENSE_SERVER_NOT_ACTIVATED",
                $"The license server {entry} is not activated; it can issue only temporary Per Device CALs.",
                "Activate the license server (ActivateServer) so that it issues permanent CALs.", entry));
        }

        if (info.SecurityGroupEnabled && !info.AllowedSessionHosts.Contains(host.HostId, StringComparer.OrdinalIgnoreCase))
        {
            findings.Add(Finding(Severity.Error, "HOST_NOT_ALLOWED",
                $"The license server {entry} serves only the session hosts of its security group, and {host.HostId} is not one of them.",
                $"Add {host.HostId} to the license server's allowed session hosts, or turn its security group off.", entry));
        }

        if (host.CalType is { } type)
        {
            await DiagnosePacksAsync(host, type, server, entry, blocking, findings, cancellationToken);
        }
    }

    private async Task DiagnosePacksAsync(SessionHostSettings host, CalType type, LicenseServerConnection server, string entry, Severity blocking,
        List<Finding> findings, CancellationToken cancellationToken)
    {
        ListKeyPacksResponse packs;
        try
        {
            packs = await server.Client.ListKeyPacksAsync(new ListKeyPacksRequest(), servers.CallOptions(cancellationToken));
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            findings.Add(Finding(Severity.Warning, "KEY_PACKS_UNKNOWN", $"The key packs of {entry} could not be listed ({ex.StatusCode}).",
                "Check the license server's installed licenses in RD Licensing Manager.", entry));
            return;
        }

        var wireType = ContractMapping.ToContract(type);
        var compatible = packs.KeyPacks
            .Where(p => p.CalType == wireType && ContractMapping.ToCore(p.ProductVersion) is { } v
                && (host.PreventUpgrade ? v == host.Version : VersionCompatibility.CalServesHost(v, host.Version)))
            .ToList();
        var typeName = type == CalType.PerDevice ? "Per Device" : "Per User";
        var severity = type == CalType.PerDevice ? blocking : Severity.Warning;
        if (compatible.Count == 0)
        {
            findings.Add(Finding(severity, "NO_COMPATIBLE_CALS",
                $"The license server {entry} has no {typeName} CALs of version {VersionCompatibility.CalName(host.Version)}{(host.PreventUpgrade ? "" : " or later")} installed.",
                $"Install {typeName} CALs of version {VersionCompatibility.CalName(host.Version)}{(host.PreventUpgrade ? "" : " or later")} on the license server.", entry));
        }
        else if (compatible.Sum(p => p.Available) == 0)
        {
            findings.Add(Finding(severity, "NO_CALS_AVAILABLE",
                $"Every compatible {typeName} CAL on the license server {entry} is issued.",
                $"Install more {typeName} CALs, or revoke unused Per Device CALs.", entry));
        }
        else
        {
            findings.Add(Finding(Severity.Ok, "COMPATIBLE_CALS_AVAILABLE",
                $"The license server {entry} has {compatible.Sum(p => p.Available)} compatible {typeName} CALs available.", "", entry));
        }
    }

    private static Finding Finding(Severity severity, string code, string message, string remediation, string licenseServer = "") => new()
    {
        Severity = severity,
        Code = code,
        Message = message,
        Remediation = remediation,
        LicenseServer = licenseServer,
    };
}
