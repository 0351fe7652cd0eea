using RdsPlatform.Cli.Commands;
using RdsPlatform.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace RdsPlatform.Cli;

/// <summary>The rdslic entry point: the command tree, and the mapping of parse failures to exit code 2.</summary>
public static class RdslicApp
{
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken = default)
    {
        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(CliHost), host);
        var app = new CommandApp(registrar);
        app.Configure(config =>
        {
            config.SetApplicationName("rdslic");
            config.ConfigureConsole(host.Out);
            config.PropagateExceptions();
            config.UseStrictParsing();
            AddLicensingCommands(config);
            AddFarmCommands(config);
        });

        try
        {
            var exitCode = await app.RunAsync(JoinStandardOutputValue(args), cancellationToken);
            // Spectre shows help and returns non-zero for a branch without its command ("rdslic server"): a usage error.
            if (exitCode != ExitCodes.Ok && !host.CommandStarted)
            {
                host.Error.WriteLine("error: the command is incomplete; choose one of the commands listed above.");
                return ExitCodes.Usage;
            }

            return exitCode;
        }
        catch (CommandAppException exception)
        {
            host.Error.WriteLine($"error: {exception.Message}");
            host.Error.WriteLine("Run 'rdslic --help' (or 'rdslic <command> --help') to see the commands and their options.");
            return ExitCodes.Usage;
        }
    }

    /// <summary>The license server's own objects: the server, its key packs and its issued CALs.</summary>
    private static void AddLicensingCommands(IConfigurator config)
    {
        config.AddBranch<GlobalSettings>("server", server =>
        {
            server.SetDescription("The license server: status and activation.");
            server.AddCommand<ServerStatusCommand>("status").WithExample("server", "status");
            server.AddCommand<ServerActivateCommand>("activate")
                .WithExample("server", "activate", "--first-name", "Ada", "--last-name", "Lovelace", "--company", "Contoso", "--country", "GB", "--email", "ada@contoso.example");
            server.AddCommand<ServerDeactivateCommand>("deactivate").WithExample("server", "deactivate", "--reason", "\"Moving to new hardware\"");
            server.AddCommand<ServerReactivateCommand>("reactivate").WithExample("server", "reactivate", "--reason", "\"Hardware replaced\"");
        });
        config.AddBranch<GlobalSettings>("keypack", keyPack =>
        {
            keyPack.SetDescription("Key packs: install, list, remove CALs, uninstall.");
            keyPack.AddCommand<KeyPackInstallCommand>("install")
                .WithExample("keypack", "install", "--code", "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY", "--version", "2022", "--type", "per-device", "--count", "50");
            keyPack.AddCommand<KeyPackListCommand>("list");
            keyPack.AddCommand<KeyPackRemoveCommand>("remove").WithExample("keypack", "remove", "KP-1", "--count", "10");
            keyPack.AddCommand<KeyPackUninstallCommand>("uninstall").WithExample("keypack", "uninstall", "KP-1");
        });
        config.AddBranch<GlobalSettings>("license", license =>
        {
            license.SetDescription("Issued CALs: list and revoke.");
            license.AddCommand<LicenseListCommand>("list").WithExample("license", "list", "--type", "per-device", "--status", "permanent");
            license.AddCommand<LicenseRevokeCommand>("revoke").WithExample("license", "revoke", "LIC-1");
        });
    }

    /// <summary>The farm around it: session hosts, reports, compliance, the audit trail and the simulated clock.</summary>
    private static void AddFarmCommands(IConfigurator config)
    {
        config.AddBranch<GlobalSettings>("host", sessionHost =>
        {
            sessionHost.SetDescription("Session hosts: licensing settings, grace period, diagnosis.");
            sessionHost.AddCommand<HostConfigureCommand>("configure")
                .WithExample("host", "configure", "rdsh-01", "--version", "2022", "--mode", "per-device", "--server", "license-server");
            sessionHost.AddCommand<HostShowCommand>("show").WithExample("host", "show", "rdsh-01");
            sessionHost.AddCommand<HostGraceCommand>("grace").WithExample("host", "grace", "rdsh-01");
            sessionHost.AddCommand<HostDiagnoseCommand>("diagnose").WithExample("host", "diagnose", "rdsh-01");
            sessionHost.AddCommand<HostConnectCommand>("connect")
                .WithExample("host", "connect", "rdsh-01", "--hardware-id", "HW-0001", "--user", "CONTOSO\\alice", "--certificate", "hw-0001.cal", "--sign-in");
        });
        config.AddBranch<GlobalSettings>("report", report =>
        {
            report.SetDescription("Reports: generate, list, show, export as CSV, delete.");
            report.AddCommand<ReportGenerateCommand>("generate").WithExample("report", "generate", "--kind", "per-device");
            report.AddCommand<ReportListCommand>("list");
            report.AddCommand<ReportShowCommand>("show").WithExample("report", "show", "RPT-1");
            report.AddCommand<ReportExportCommand>("export").WithExample("report", "export", "RPT-1", "--output", "per-device.csv");
            report.AddCommand<ReportDeleteCommand>("delete").WithExample("report", "delete", "RPT-1");
        });
        config.AddCommand<ComplianceCommand>("compliance");
        config.AddCommand<AuditCommand>("audit").WithExample("audit", "--type", "license-revoked", "--limit", "20");
        config.AddBranch<GlobalSettings>("clock", clock =>
        {
            clock.SetDescription("Simulated time (Development and tests only).");
            clock.AddCommand<ClockShowCommand>("show");
            clock.AddCommand<ClockAdvanceCommand>("advance").WithExample("clock", "advance", "30d");
        });
    }

    /// <summary>Spectre reads a lone "-" as an option name; "--output -" (standard output) is passed on as "--output=-".</summary>
    private static string[] JoinStandardOutputValue(string[] args)
    {
        var joined = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "-o" or "--output" && i + 1 < args.Length && args[i + 1] == "-")
            {
                joined.Add("--output=-");
                i++;
            }
            else
            {
                joined.Add(args[i]);
            }
        }

        return [.. joined];
    }
}
