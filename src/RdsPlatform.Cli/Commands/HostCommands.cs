// rdslic host: a session host's licensing settings, grace period, diagnosis and test connections.
using System.ComponentModel;
using Grpc.Core;
using RdsPlatform.Cli.Infrastructure;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RdsPlatform.Cli.Commands;

public class HostIdSettings : GlobalSettings
{
    [CommandArgument(0, "<HOST_ID>")]
    public string HostId { get; init; } = "";
}

public sealed class HostConfigureSettings : HostIdSettings
{
    [CommandOption("--version <VERSION>")]
    [Description("The session host's Windows Server version: 2016, 2019, 2022 or 2025.")]
    public string? Version { get; init; }

    [CommandOption("--mode <MODE>")]
    [Description("Licensing mode: per-device, per-user or not-configured.")]
    public string? Mode { get; init; }

    [CommandOption("--server <NAME_OR_URL>")]
    [Description("A license server the host uses, in order; repeat for several. Replaces the host's list.")]
    public string[]? Servers { get; init; }

    [CommandOption("--no-servers")]
    [Description("Clear the host's license server list.")]
    public bool NoServers { get; init; }

    [CommandOption("--prevent-upgrade")]
    [Description("Accept only CALs of the host's exact version.")]
    public bool PreventUpgrade { get; init; }

    [CommandOption("--allow-upgrade")]
    [Description("Accept CALs of the host's version or newer (the default).")]
    public bool AllowUpgrade { get; init; }
}

public sealed class HostConnectSettings : HostIdSettings
{
    [CommandOption("--hardware-id <ID>")]
    [Description("The simulated client device's hardware id.")]
    public string? HardwareId { get; init; }

    [CommandOption("--computer-name <NAME>")]
    public string? ComputerName { get; init; }

    [CommandOption("--user <DOMAIN\\NAME>")]
    [Description("The user: DOMAIN\\name, or just name for a workgroup account.")]
    public string? User { get; init; }

    [CommandOption("--certificate <FILE>")]
    [Description("The client's certificate file: presented when it exists, and replaced by the certificate the gateway returns.")]
    public string? Certificate { get; init; }

    [CommandOption("--sign-in")]
    [Description("Also sign the user in after an admitted connection (validates a temporary CAL, records a Per User CAL).")]
    public bool SignIn { get; init; }
}

[Description("Create or update a session host's licensing settings (unset options keep their current values).")]
public sealed class HostConfigureCommand(CliHost host) : RdsCommand<HostConfigureSettings>(host)
{
    protected override async Task<int> RunAsync(HostConfigureSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        if (settings.PreventUpgrade && settings.AllowUpgrade)
        {
            throw new UsageException("--prevent-upgrade and --allow-upgrade contradict each other; give one.");
        }

        if (settings.NoServers && settings.Servers is { Length: > 0 })
        {
            throw new UsageException("--no-servers and --server contradict each other; give one.");
        }

        var gateway = clients.Gateway();
        var current = await FindAsync(gateway, settings.HostId, clients, cancellationToken);
        var request = new ConfigureSessionHostRequest
        {
            HostId = settings.HostId,
            Version = settings.Version is not null ? Values.ParseEnum<ProductVersion>(settings.Version, "--version") : current?.Version ?? ProductVersion.Unspecified,
            LicensingMode = settings.Mode is not null ? Values.ParseEnum<LicensingMode>(settings.Mode, "--mode") : current?.LicensingMode ?? LicensingMode.Unspecified,
            PreventLicenseUpgrade = settings.PreventUpgrade || (!settings.AllowUpgrade && (current?.PreventLicenseUpgrade ?? false)),
        };
        if (settings.Servers is { Length: > 0 })
        {
            request.LicenseServers.AddRange(settings.Servers);
        }
        else if (!settings.NoServers && current is not null)
        {
            request.LicenseServers.AddRange(current.LicenseServers);
        }

        var response = await gateway.ConfigureSessionHostAsync(request, clients.Call(cancellationToken));
        HostView.Show(Host, settings, response, response.Host,
            current is null ? $"Registered session host {response.Host.HostId}; its grace period has started." : $"Updated session host {response.Host.HostId}.");
        return ExitCodes.Ok;
    }

    private static async Task<SessionHost?> FindAsync(SessionHostGateway.SessionHostGatewayClient gateway, string hostId, ServiceClients clients, CancellationToken cancellationToken)
    {
        try
        {
            return (await gateway.GetSessionHostAsync(new GetSessionHostRequest { HostId = hostId }, clients.Call(cancellationToken))).Host;
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            // A new host (or an id the gateway will refuse with its own field violation on configure).
            return null;
        }
    }
}

[Description("Show a session host's licensing settings and grace period.")]
public sealed class HostShowCommand(CliHost host) : RdsCommand<HostIdSettings>(host)
{
    protected override async Task<int> RunAsync(HostIdSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.Gateway().GetSessionHostAsync(new GetSessionHostRequest { HostId = settings.HostId }, clients.Call(cancellationToken));
        HostView.Show(Host, settings, response, response.Host, null);
        return ExitCodes.Ok;
    }
}

[Description("Show how many days are left of a session host's 120-day grace period.")]
public sealed class HostGraceCommand(CliHost host) : RdsCommand<HostIdSettings>(host)
{
    protected override async Task<int> RunAsync(HostIdSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.Gateway().GetGracePeriodAsync(new GetGracePeriodRequest { HostId = settings.HostId }, clients.Call(cancellationToken));
        if (settings.Json)
        {
            Output.Json(Host, response);
            return ExitCodes.Ok;
        }

        Output.Line(Host, response.InGrace
            ? $"Session host {settings.HostId} is in its grace period: {response.DaysLeft} day(s) left, until {Values.Display(response.EndsAt)}."
            : $"The grace period of session host {settings.HostId} ended at {Values.Display(response.EndsAt)}: clients now need CALs.");
        Host.Out.Write(Output.Properties(
            ("Started", Values.Display(response.StartedAt)),
            ("Ends", Values.Display(response.EndsAt)),
            ("Days left", response.DaysLeft.ToString())));
        Host.Out.WriteLine();
        return ExitCodes.Ok;
    }
}

[Description("Check a session host's licensing configuration, like RD Licensing Diagnoser.")]
public sealed class HostDiagnoseCommand(CliHost host) : RdsCommand<HostIdSettings>(host)
{
    protected override async Task<int> RunAsync(HostIdSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.Gateway().DiagnoseAsync(new DiagnoseRequest { HostId = settings.HostId }, clients.LongCall(cancellationToken));
        var exitCode = response.Overall == Severity.Error ? ExitCodes.DiagnosedError : ExitCodes.Ok;
        if (settings.Json)
        {
            Output.Json(Host, response);
            return exitCode;
        }

        Output.Line(Host, $"Session host {response.HostId}: {Values.Display(response.Overall)}");
        var table = Output.Table("Severity", "Code", "Finding", "What to do", "License server");
        foreach (var finding in response.Findings)
        {
            Output.Row(table, Values.Display(finding.Severity), finding.Code, finding.Message, Values.Empty(finding.Remediation), Values.Empty(finding.LicenseServer));
        }

        Host.Out.Write(table);
        return exitCode;
    }
}

[Description("Simulate a client connecting to a session host (a test client, not an administration task).")]
public sealed class HostConnectCommand(CliHost host) : RdsCommand<HostConnectSettings>(host)
{
    protected override async Task<int> RunAsync(HostConnectSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var user = ParseUser(settings.User);
        var request = new ConnectRequest
        {
            HostId = settings.HostId,
            Device = new Device { HardwareId = settings.HardwareId ?? "", ComputerName = settings.ComputerName ?? "" },
            User = user,
        };
        if (settings.Certificate is not null && File.Exists(settings.Certificate))
        {
            request.PresentedCertificate = new CalCertificate { Data = Google.Protobuf.ByteString.CopyFrom(await File.ReadAllBytesAsync(settings.Certificate, cancellationToken)) };
        }

        var gateway = clients.Gateway();
        var response = await gateway.ConnectAsync(request, clients.Call(cancellationToken));
        if (settings.Certificate is not null && response.Certificate is { Data.IsEmpty: false })
        {
            await File.WriteAllBytesAsync(settings.Certificate, response.Certificate.Data.ToByteArray(), cancellationToken);
        }

        SignInResponse? signIn = null;
        if (settings.SignIn && response.Admitted)
        {
            signIn = await gateway.SignInAsync(new SignInRequest { SessionId = response.SessionId }, clients.Call(cancellationToken));
        }

        if (settings.Json)
        {
            Output.JsonValue(Host, new
            {
                connect = System.Text.Json.JsonDocument.Parse(Google.Protobuf.JsonFormatter.Default.Format(response)).RootElement,
                signIn = signIn is null ? (System.Text.Json.JsonElement?)null : System.Text.Json.JsonDocument.Parse(Google.Protobuf.JsonFormatter.Default.Format(signIn)).RootElement,
            });
            return ExitCodes.Ok;
        }

        Output.Line(Host, $"{(response.Admitted ? "Admitted" : "Refused")} ({Values.Display(response.Reason)}): {response.Message}");
        var details = response.CertificateDetails;
        Host.Out.Write(Output.Properties(
            ("Session", Values.Empty(response.SessionId)),
            ("Grace days left", response.GraceDaysLeft.ToString()),
            ("CAL", details is null ? "-" : $"{details.LicenseId} ({Values.Display(details.CalType)} {Values.Display(details.ProductVersion)}{(details.Temporary ? ", temporary" : "")}), expires {Values.Display(details.ExpiresAt)}"),
            ("Certificate", response.Certificate is { Data.IsEmpty: false } ? settings.Certificate is not null ? $"saved to {settings.Certificate}" : "issued (pass --certificate FILE to keep it)" : "unchanged")));
        Host.Out.WriteLine();
        if (signIn is not null)
        {
            Output.Line(Host, $"Signed in ({Values.Display(signIn.Reason)}): {signIn.Message}");
        }

        return ExitCodes.Ok;
    }

    private static User ParseUser(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return new User();
        }

        var separator = text.IndexOf('\\', StringComparison.Ordinal);
        return separator < 0 ? new User { Name = text } : new User { Domain = text[..separator], Name = text[(separator + 1)..] };
    }
}

internal static class HostView
{
    public static void Show(CliHost host, GlobalSettings settings, Google.Protobuf.IMessage response, SessionHost sessionHost, string? sentence)
    {
        if (settings.Json)
        {
            Output.Json(host, response);
            return;
        }

        if (sentence is not null)
        {
            Output.Line(host, sentence);
        }

        host.Out.Write(Output.Properties(
            ("Host", sessionHost.HostId),
            ("Version", Values.Display(sessionHost.Version)),
            ("Licensing mode", Values.Display(sessionHost.LicensingMode)),
            ("License servers", sessionHost.LicenseServers.Count == 0 ? "none" : string.Join(", ", sessionHost.LicenseServers)),
            ("Prevent upgrade", sessionHost.PreventLicenseUpgrade ? "yes" : "no"),
            ("Grace period", $"{sessionHost.GraceDaysLeft} day(s) left ({Values.Display(sessionHost.GracePeriodStartedAt)} to {Values.Display(sessionHost.GracePeriodEndsAt)})"),
            ("Configured at", Values.Display(sessionHost.ConfiguredAt))));
        host.Out.WriteLine();
    }
}
