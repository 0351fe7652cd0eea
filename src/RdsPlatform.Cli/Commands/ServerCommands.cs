// rdslic server: the license server's status and its activation, deactivation and reactivation.
using System.ComponentModel;
using System.Security.Cryptography;
using RdsPlatform.Cli.Infrastructure;
using RdsPlatform.Contracts.Licensing.V1;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RdsPlatform.Cli.Commands;

public sealed class ContactSettings : GlobalSettings
{
    [CommandOption("--first-name <NAME>")]
    public string? FirstName { get; init; }

    [CommandOption("--last-name <NAME>")]
    public string? LastName { get; init; }

    [CommandOption("--company <NAME>")]
    public string? Company { get; init; }

    [CommandOption("--country <COUNTRY>")]
    [Description("ISO 3166-1 alpha-2 code or country name.")]
    public string? Country { get; init; }

    [CommandOption("--email <ADDRESS>")]
    public string? Email { get; init; }

    [CommandOption("--reason <TEXT>")]
    [Description("Why the server is deactivated or reactivated (required to reactivate).")]
    public string? Reason { get; init; }

    public bool HasContact => FirstName is not null || LastName is not null || Company is not null || Country is not null || Email is not null;

    public ContactDetails ToContact() => new()
    {
        FirstName = FirstName ?? "",
        LastName = LastName ?? "",
        Company = Company ?? "",
        Country = Country ?? "",
        Email = Email ?? "",
    };
}

[Description("Show the license server's identity, version, scope and activation state.")]
public sealed class ServerStatusCommand(CliHost host) : RdsCommand<GlobalSettings>(host)
{
    protected override async Task<int> RunAsync(GlobalSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.LicenseServer().GetServerInfoAsync(new GetServerInfoRequest(), clients.Call(cancellationToken));
        ServerView.Show(Host, settings, response, response.Server, null);
        return ExitCodes.Ok;
    }
}

[Description("Activate the license server with the administrator's contact details.")]
public sealed class ServerActivateCommand(CliHost host) : RdsCommand<ContactSettings>(host)
{
    protected override async Task<int> RunAsync(ContactSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.LicenseServer().ActivateServerAsync(new ActivateServerRequest { Contact = settings.ToContact() }, clients.Call(cancellationToken));
        ServerView.Show(Host, settings, response, response.Server, "The license server is activated: it can now issue permanent CALs from installed key packs.");
        return ExitCodes.Ok;
    }
}

[Description("Deactivate the license server; CALs already issued stay valid.")]
public sealed class ServerDeactivateCommand(CliHost host) : RdsCommand<ContactSettings>(host)
{
    protected override async Task<int> RunAsync(ContactSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.LicenseServer().DeactivateServerAsync(new DeactivateServerRequest { Reason = settings.Reason ?? "" }, clients.Call(cancellationToken));
        ServerView.Show(Host, settings, response, response.Server, "The license server is deactivated: issued CALs stay valid, new ones are temporary until it is reactivated.");
        return ExitCodes.Ok;
    }
}

[Description("Reactivate a deactivated license server, with a reason and optionally new contact details.")]
public sealed class ServerReactivateCommand(CliHost host) : RdsCommand<ContactSettings>(host)
{
    protected override async Task<int> RunAsync(ContactSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var request = new ReactivateServerRequest { Reason = settings.Reason ?? "" };
        if (settings.HasContact)
        {
            request.Contact = settings.ToContact();
        }

        var response = await clients.LicenseServer().ReactivateServerAsync(request, clients.Call(cancellationToken));
        ServerView.Show(Host, settings, response, response.Server, "The license server is reactivated.");
        return ExitCodes.Ok;
    }
}

internal static class ServerView
{
    public static void Show(CliHost host, GlobalSettings settings, Google.Protobuf.IMessage response, ServerInfo server, string? sentence)
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

        var contact = server.Contact is { } c && (c.FirstName.Length > 0 || c.LastName.Length > 0 || c.Email.Length > 0)
            ? $"{c.FirstName} {c.LastName}, {c.Company}, {c.Country}, {c.Email}".Trim()
            : "-";
        host.Out.Write(Output.Properties(
            ("Server id", server.ServerId),
            ("Version", Values.Display(server.Version)),
            ("Scope", Values.Display(server.Scope) + (server.Domain.Length > 0 ? $" ({server.Domain})" : "")),
            ("Activation", Values.Display(server.ActivationState)),
            ("Activated at", Values.Display(server.ActivatedAt)),
            ("Contact", contact),
            ("Security group", server.SecurityGroupEnabled
                ? $"enabled: {(server.AllowedSessionHosts.Count == 0 ? "no hosts allowed" : string.Join(", ", server.AllowedSessionHosts))}"
                : "disabled (every session host is served)"),
            ("Key fingerprint", Fingerprint(server.PublicKey.Span)),
            ("Server time", Values.DisplaySeconds(server.Now))));
        host.Out.WriteLine();
    }

    private static string Fingerprint(ReadOnlySpan<byte> publicKey)
        => publicKey.IsEmpty ? "-" : "SHA256:" + Convert.ToHexString(SHA256.HashData(publicKey))[..32].ToLowerInvariant();
}
