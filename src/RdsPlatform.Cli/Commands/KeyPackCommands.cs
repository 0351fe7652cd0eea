// rdslic keypack: installs, lists, removes CALs from and uninstalls key packs.
using System.ComponentModel;
using RdsPlatform.Cli.Infrastructure;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using Spectre.Console.Cli;

namespace RdsPlatform.Cli.Commands;

public sealed class KeyPackInstallSettings : GlobalSettings
{
    [CommandOption("--program <PROGRAM>")]
    [Description("retail, open-license or agreement (inferred from --code, --license-number or --agreement-number when omitted).")]
    public string? Program { get; init; }

    [CommandOption("--code <CODE>")]
    [Description("Retail: the 25-character license code (dashes optional).")]
    public string? Code { get; init; }

    [CommandOption("--license-number <NUMBER>")]
    [Description("Open License: the 8-digit license number.")]
    public string? LicenseNumber { get; init; }

    [CommandOption("--authorization <NUMBER>")]
    [Description("Open License: the 15-character authorization number.")]
    public string? Authorization { get; init; }

    [CommandOption("--agreement-type <TYPE>")]
    [Description("Agreement: select, enterprise, campus, school, spla or other.")]
    public string? AgreementType { get; init; }

    [CommandOption("--agreement-number <NUMBER>")]
    [Description("Agreement: the 7-digit agreement number.")]
    public string? AgreementNumber { get; init; }

    [CommandOption("--version <VERSION>")]
    [Description("CAL version: 2016, 2019, 2022 or 2025.")]
    public string? Version { get; init; }

    [CommandOption("--type <TYPE>")]
    [Description("per-device or per-user.")]
    public string? Type { get; init; }

    [CommandOption("--count <N>")]
    [Description("How many CALs the pack holds.")]
    public int? Count { get; init; }
}

public sealed class KeyPackIdSettings : GlobalSettings
{
    [CommandArgument(0, "<KEY_PACK_ID>")]
    public string KeyPackId { get; init; } = "";
}

public sealed class KeyPackRemoveSettings : GlobalSettings
{
    [CommandArgument(0, "<KEY_PACK_ID>")]
    public string KeyPackId { get; init; } = "";

    [CommandOption("--count <N>")]
    [Description("How many unissued CALs to remove.")]
    public int? Count { get; init; }
}

[Description("Install a key pack (Retail, Open License or Agreement).")]
public sealed class KeyPackInstallCommand(CliHost host) : RdsCommand<KeyPackInstallSettings>(host)
{
    protected override async Task<int> RunAsync(KeyPackInstallSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var program = settings.Program is not null
            ? Values.ParseEnum<KeyPackProgram>(settings.Program, "--program")
            : settings.Code is not null ? KeyPackProgram.Retail
            : settings.LicenseNumber is not null ? KeyPackProgram.OpenLicense
            : settings.AgreementNumber is not null ? KeyPackProgram.Agreement
            : KeyPackProgram.Unspecified;
        var request = new InstallKeyPackRequest
        {
            Program = program,
            RetailCode = settings.Code ?? "",
            OpenLicenseNumber = settings.LicenseNumber ?? "",
            AuthorizationNumber = settings.Authorization ?? "",
            AgreementType = Values.ParseOptionalEnum<AgreementType>(settings.AgreementType, "--agreement-type"),
            AgreementNumber = settings.AgreementNumber ?? "",
            ProductVersion = Values.ParseOptionalEnum<ProductVersion>(settings.Version, "--version"),
            CalType = Values.ParseOptionalEnum<CalType>(settings.Type, "--type"),
            Count = settings.Count ?? 0,
        };
        var response = await clients.LicenseServer().InstallKeyPackAsync(request, clients.Call(cancellationToken));
        if (settings.Json)
        {
            Output.Json(Host, response);
            return ExitCodes.Ok;
        }

        Output.Line(Host, $"Installed key pack {response.KeyPack.KeyPackId}: {response.KeyPack.Total} {Values.Display(response.KeyPack.CalType)} CALs, version {Values.Display(response.KeyPack.ProductVersion)}.");
        KeyPackView.Show(Host, [response.KeyPack]);
        return ExitCodes.Ok;
    }
}

[Description("List installed key packs with their total, issued and available CALs.")]
public sealed class KeyPackListCommand(CliHost host) : RdsCommand<GlobalSettings>(host)
{
    protected override async Task<int> RunAsync(GlobalSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.LicenseServer().ListKeyPacksAsync(new ListKeyPacksRequest(), clients.Call(cancellationToken));
        if (settings.Json)
        {
            Output.Json(Host, response);
        }
        else if (response.KeyPacks.Count == 0)
        {
            Output.Line(Host, "No key packs are installed. Install one with 'rdslic keypack install'.");
        }
        else
        {
            KeyPackView.Show(Host, response.KeyPacks);
        }

        return ExitCodes.Ok;
    }
}

[Description("Remove unissued CALs from a key pack.")]
public sealed class KeyPackRemoveCommand(CliHost host) : RdsCommand<KeyPackRemoveSettings>(host)
{
    protected override async Task<int> RunAsync(KeyPackRemoveSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.LicenseServer().RemoveLicensesAsync(
            new RemoveLicensesRequest { KeyPackId = settings.KeyPackId, Count = settings.Count ?? 0 }, clients.Call(cancellationToken));
        if (settings.Json)
        {
            Output.Json(Host, response);
            return ExitCodes.Ok;
        }

        Output.Line(Host, $"Removed {settings.Count} CALs from key pack {response.KeyPack.KeyPackId}; {response.KeyPack.Available} remain available.");
        KeyPackView.Show(Host, [response.KeyPack]);
        return ExitCodes.Ok;
    }
}

[Description("Uninstall a key pack that has no issued CALs.")]
public sealed class KeyPackUninstallCommand(CliHost host) : RdsCommand<KeyPackIdSettings>(host)
{
    protected override async Task<int> RunAsync(KeyPackIdSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.LicenseServer().UninstallKeyPackAsync(new UninstallKeyPackRequest { KeyPackId = settings.KeyPackId }, clients.Call(cancellationToken));
        if (settings.Json)
        {
            Output.JsonValue(Host, new { keyPackId = settings.KeyPackId, uninstalled = true });
            return ExitCodes.Ok;
        }

        Output.Line(Host, $"Uninstalled key pack {settings.KeyPackId}.");
        return ExitCodes.Ok;
    }
}

internal static class KeyPackView
{
    public static void Show(CliHost host, IEnumerable<KeyPack> packs)
    {
        var table = Output.Table("Key pack", "Program", "Reference", "Version", "Type", "Total", "Issued", "Available", "Installed");
        foreach (var pack in packs)
        {
            var program = Values.Display(pack.Program) + (pack.AgreementType != AgreementType.Unspecified ? $" ({Values.Display(pack.AgreementType)})" : "");
            Output.Row(table, pack.KeyPackId, program, pack.Reference, Values.Display(pack.ProductVersion), Values.Display(pack.CalType),
                pack.Total.ToString(), pack.Issued.ToString(), pack.Available.ToString(), Values.Display(pack.InstalledAt));
        }

        host.Out.Write(table);
    }
}
