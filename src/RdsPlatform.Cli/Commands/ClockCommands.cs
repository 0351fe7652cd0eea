// rdslic clock: shows and advances the simulated clock shared by the services (Development and tests).
using System.ComponentModel;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RdsPlatform.Cli.Infrastructure;
using RdsPlatform.Contracts.Admin.V1;
using Spectre.Console.Cli;

namespace RdsPlatform.Cli.Commands;

public sealed class ClockAdvanceSettings : GlobalSettings
{
    [CommandArgument(0, "<DURATION>")]
    [Description("How far to move simulated time: 30d, 12h, 90m, 3600s or combined like 1d12h.")]
    public string Duration { get; init; } = "";
}

/// <summary>What one service says the time is.</summary>
public sealed record ServiceTime(string Service, string Address, bool Reachable, DateTimeOffset? Now, string? Mode, double? OffsetSeconds, string? Error);

[Description("Show the time each service's licensing rules read, and whether it is simulated.")]
public sealed class ClockShowCommand(CliHost host) : RdsCommand<GlobalSettings>(host)
{
    protected override async Task<int> RunAsync(GlobalSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var times = await ClockView.ReadAllAsync(clients, cancellationToken);
        ClockView.Show(Host, settings, times, null);
        return times.Any(t => t.Reachable) ? ExitCodes.Ok : ExitCodes.Unreachable;
    }
}

[Description("Advance simulated time for every service (only when they run with Clock:Mode=Simulated).")]
public sealed class ClockAdvanceCommand(CliHost host) : RdsCommand<ClockAdvanceSettings>(host)
{
    private static readonly TimeSpan FollowWait = TimeSpan.FromSeconds(3);

    protected override async Task<int> RunAsync(ClockAdvanceSettings settings, ServiceClients clients, CancellationToken cancellationToken)
    {
        var by = Durations.Parse(settings.Duration, "The duration");
        if (by <= TimeSpan.Zero)
        {
            throw new UsageException("The duration must be more than zero: simulated time only moves forward.");
        }

        // One service advances the shared offset; the others follow it through the cache.
        var advanced = await clients.Clock(clients.LicenseServerEndpoint).AdvanceAsync(new AdvanceRequest { By = Duration.FromTimeSpan(by) }, clients.Call(cancellationToken));
        var target = advanced.Offset.ToTimeSpan();
        var times = await ClockView.ReadAllAsync(clients, cancellationToken);
        var deadline = Environment.TickCount64 + (long)FollowWait.TotalMilliseconds;
        while (times.Any(t => Lags(t, target)) && Environment.TickCount64 < deadline)
        {
            await Task.Delay(200, cancellationToken);
            times = await ClockView.ReadAllAsync(clients, cancellationToken);
        }

        ClockView.Show(Host, settings, times, $"Simulated time advanced by {Durations.Format(by)}; it is now {Values.DisplaySeconds(advanced.Now)} (offset {Durations.Format(target)}).");
        foreach (var lagging in times.Where(t => Lags(t, target)))
        {
            Host.Error.WriteLine($"warning: the {lagging.Service} at {lagging.Address} did not follow (offset {Durations.Format(TimeSpan.FromSeconds(lagging.OffsetSeconds ?? 0))}). "
                + "Services share simulated time only through the cache: run them with the same ConnectionStrings:cache and Clock:Mode=Simulated.");
        }

        foreach (var unreachable in times.Where(t => !t.Reachable))
        {
            Host.Error.WriteLine($"warning: could not read the time of the {unreachable.Service} at {unreachable.Address}: {unreachable.Error}");
        }

        return ExitCodes.Ok;
    }

    private static bool Lags(ServiceTime time, TimeSpan target) => time.Reachable && time.OffsetSeconds < target.TotalSeconds - 0.001;
}

internal static class ClockView
{
    public static async Task<List<ServiceTime>> ReadAllAsync(ServiceClients clients, CancellationToken cancellationToken)
    {
        var endpoints = new[] { clients.LicenseServerEndpoint, clients.GatewayEndpoint, clients.ReportingEndpoint };
        var reads = endpoints.Select(async endpoint =>
        {
            try
            {
                var response = await clients.Clock(endpoint).GetTimeAsync(new GetTimeRequest(), clients.Call(cancellationToken));
                return new ServiceTime(endpoint.Name, endpoint.Address.ToString(), true, response.Now.ToDateTimeOffset(), Values.Display(response.Mode),
                    response.Offset?.ToTimeSpan().TotalSeconds ?? 0, null);
            }
            catch (RpcException exception) when (exception.StatusCode != StatusCode.Cancelled)
            {
                var reason = exception.Status.DebugException?.Message ?? exception.Status.Detail;
                return new ServiceTime(endpoint.Name, endpoint.Address.ToString(), false, null, null, null, $"{exception.StatusCode}: {reason}");
            }
        });
        return [.. await Task.WhenAll(reads)];
    }

    public static void Show(CliHost host, GlobalSettings settings, IReadOnlyList<ServiceTime> times, string? sentence)
    {
        if (settings.Json)
        {
            Output.JsonValue(host, times);
            return;
        }

        if (sentence is not null)
        {
            Output.Line(host, sentence);
        }

        var table = Output.Table("Service", "Address", "Time", "Mode", "Offset");
        foreach (var time in times)
        {
            Output.Row(table, time.Service, time.Address,
                time.Now is { } now ? now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : $"unreachable ({time.Error})",
                time.Mode ?? "-", time.OffsetSeconds is { } seconds ? Durations.Format(TimeSpan.FromSeconds(Math.Round(seconds))) : "-");
        }

        host.Out.Write(table);
    }
}
