// rdslic compliance: the live compliance summary from the reporting service.
using System.ComponentModel;
using RdsPlatform.Cli.Infrastructure;
using RdsPlatform.Contracts.Reporting.V1;

namespace RdsPlatform.Cli.Commands;

[Description("Show installed versus issued CALs per pool, flagging over-used and limited pools.")]
public sealed class ComplianceCommand(CliHost host) : RdsCommand<GlobalSettings>(host)
{
    protected override async Task<int> RunAsync(GlobalSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var response = await clients.Reporting().GetComplianceSummaryAsync(new GetComplianceSummaryRequest(), clients.Call(cancellationToken));
        if (settings.Json)
        {
            Output.Json(Host, response);
            return ExitCodes.Ok;
        }

        if (response.Pools.Count == 0)
        {
            Output.Line(Host, "No CALs are installed or issued yet.");
        }
        else
        {
            var table = SummaryView.Table();
            foreach (var pool in response.Pools)
            {
                SummaryView.Row(table, pool);
            }

            Host.Out.Write(table);
        }

        Output.Line(Host, response.OverUsed || response.Limited
            ? $"Compliance at {Values.Display(response.GeneratedAt)}: attention needed{(response.OverUsed ? " (over-used pools)" : "")}{(response.Limited ? " (limited pools)" : "")}."
            : $"Compliance at {Values.Display(response.GeneratedAt)}: every pool is within its installed CALs.");
        foreach (var warning in response.Warnings)
        {
            Output.Line(Host, $"warning: {warning}");
        }

        return ExitCodes.Ok;
    }
}
