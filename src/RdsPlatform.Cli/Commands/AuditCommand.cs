// rdslic audit: reads (or follows) the license server's audit trail.
using System.ComponentModel;
using Grpc.Core;
using RdsPlatform.Cli.Infrastructure;
using RdsPlatform.Contracts.Licensing.V1;
using Spectre.Console.Cli;

namespace RdsPlatform.Cli.Commands;

public sealed class AuditSettings : GlobalSettings
{
    [CommandOption("--after <SEQUENCE>")]
    [Description("Only events after this sequence number (resume where a previous run stopped).")]
    public long? After { get; init; }

    [CommandOption("--limit <N>")]
    [Description("At most this many events (default 100; 0 for all).")]
    public int? Limit { get; init; }

    [CommandOption("--type <TYPE>")]
    [Description("Only events of this type, e.g. license-issued, license-revoked, key-pack-installed; repeat for several.")]
    public string[]? Types { get; init; }
}

[Description("Show the license server's append-only audit trail.")]
public sealed class AuditCommand(CliHost host) : RdsCommand<AuditSettings>(host)
{
    protected override async Task<int> RunAsync(AuditSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        if (settings.Limit is < 0 || settings.After is < 0)
        {
            throw new UsageException("--limit and --after must not be negative.");
        }

        var request = new GetAuditTrailRequest { AfterSequence = settings.After ?? 0, Limit = settings.Limit ?? 100 };
        request.Types_.AddRange((settings.Types ?? []).Select(t => Values.ParseEnum<AuditEventType>(t, "--type")));
        var events = new List<AuditEvent>();
        using (var call = clients.LicenseServer().GetAuditTrail(request, clients.LongCall(cancellationToken)))
        {
            await foreach (var item in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                events.Add(item);
            }
        }

        if (settings.Json)
        {
            Output.JsonArray(Host, events);
            return ExitCodes.Ok;
        }

        if (events.Count == 0)
        {
            Output.Line(Host, "No audit events match.");
            return ExitCodes.Ok;
        }

        var table = Output.Table("#", "When", "Event", "License", "Key pack", "Subject", "Session host", "Detail");
        foreach (var e in events)
        {
            Output.Row(table, e.Sequence.ToString(), Values.DisplaySeconds(e.OccurredAt), Values.Display(e.Type), Values.Empty(e.LicenseId), Values.Empty(e.KeyPackId),
                Values.Empty(e.Subject), Values.Empty(e.SessionHostId), Values.Empty(e.Detail));
        }

        Host.Out.Write(table);
        Output.Line(Host, $"{events.Count} event(s); resume with --after {events[^1].Sequence}.");
        return ExitCodes.Ok;
    }
}
