// rdslic license: lists and revokes issued CALs.
using System.ComponentModel;
using Grpc.Core;
using RdsPlatform.Cli.Infrastructure;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using Spectre.Console.Cli;

namespace RdsPlatform.Cli.Commands;

public sealed class LicenseListSettings : GlobalSettings
{
    [CommandOption("--type <TYPE>")]
    [Description("Only per-device or per-user CALs.")]
    public string? Type { get; init; }

    [CommandOption("--version <VERSION>")]
    [Description("Only CALs of this version: 2016, 2019, 2022 or 2025.")]
    public string? Version { get; init; }

    [CommandOption("--status <STATUS>")]
    [Description("Only temporary, permanent, revoked, expired, overused or active CALs.")]
    public string? Status { get; init; }

    [CommandOption("--subject <SUBJECT>")]
    [Description("Only this hardware id or DOMAIN\\user.")]
    public string? Subject { get; init; }

    [CommandOption("--domain <DOMAIN>")]
    [Description("Only Per User CALs of this domain.")]
    public string? Domain { get; init; }

    [CommandOption("--key-pack <KEY_PACK_ID>")]
    public string? KeyPack { get; init; }

    [CommandOption("--include-expired")]
    [Description("Also list expired CALs (by default they have dropped off the list).")]
    public bool IncludeExpired { get; init; }
}

public sealed class LicenseRevokeSettings : GlobalSettings
{
    [CommandArgument(0, "<LICENSE_ID>")]
    public string LicenseId { get; init; } = "";
}

[Description("List issued CALs, optionally filtered.")]
public sealed class LicenseListCommand(CliHost host) : RdsCommand<LicenseListSettings>(host)
{
    protected override async Task<int> RunAsync(LicenseListSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var request = new ListIssuedLicensesRequest
        {
            CalType = Values.ParseOptionalEnum<CalType>(settings.Type, "--type"),
            ProductVersion = Values.ParseOptionalEnum<ProductVersion>(settings.Version, "--version"),
            Status = Values.ParseOptionalEnum<CalStatus>(settings.Status, "--status"),
            Subject = settings.Subject ?? "",
            UserDomain = settings.Domain ?? "",
            KeyPackId = settings.KeyPack ?? "",
            IncludeExpired = settings.IncludeExpired,
        };
        var licenses = new List<IssuedLicense>();
        using (var call = clients.LicenseServer().ListIssuedLicenses(request, clients.LongCall(cancellationToken)))
        {
            await foreach (var license in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                licenses.Add(license);
            }
        }

        if (settings.Json)
        {
            Output.JsonArray(Host, licenses);
            return ExitCodes.Ok;
        }

        if (licenses.Count == 0)
        {
            Output.Line(Host, "No issued CALs match.");
            return ExitCodes.Ok;
        }

        var table = Output.Table("License", "Type", "Version", "Status", "Subject", "Computer", "Issued", "Expires", "Key pack", "Session host");
        foreach (var license in licenses)
        {
            var status = Values.Display(license.Status) + (license.Validated && license.Status == CalStatus.Temporary ? " (validated)" : "");
            Output.Row(table, license.LicenseId, Values.Display(license.CalType), Values.Display(license.ProductVersion), status, license.Subject,
                Values.Empty(license.ComputerName), Values.Display(license.IssuedAt), Values.Display(license.ExpiresAt), Values.Empty(license.KeyPackId),
                Values.Empty(license.SessionHostId));
        }

        Host.Out.Write(table);
        Output.Line(Host, $"{licenses.Count} CAL(s).");
        return ExitCodes.Ok;
    }
}

[Description("Revoke a Per Device CAL (at most 20% of a version's installed Per Device CALs).")]
public sealed class LicenseRevokeCommand(CliHost host) : RdsCommand<LicenseRevokeSettings>(host)
{
    protected override async Task<int> RunAsync(LicenseRevokeSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.LicenseServer().RevokeLicenseAsync(new RevokeLicenseRequest { LicenseId = settings.LicenseId }, clients.Call(cancellationToken));
        if (settings.Json)
        {
            Output.Json(Host, response);
            return ExitCodes.Ok;
        }

        var version = Values.Display(response.License.ProductVersion);
        Output.Line(Host, $"Revoked CAL {response.License.LicenseId} of {response.License.Subject}; its seat is free again.");
        Output.Line(Host, response.RevocableRemaining > 0
            ? $"{response.RevocableRemaining} more {version} CAL(s) may be revoked now."
            : $"No more {version} CALs may be revoked until {Values.Display(response.NextRevokeAllowedAt)}.");
        return ExitCodes.Ok;
    }
}
