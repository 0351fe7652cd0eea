using System.Globalization;
using System.Text.Json.Nodes;
using Grpc.Core;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.LoadTest.Load;
using RdsPlatform.LoadTest.Reports;
using RdsPlatform.LoadTest.Seeding;
using RdsPlatform.LoadTest.Setup;
using RdsPlatform.LoadTest.Summary;

namespace RdsPlatform.LoadTest.Cli;

/// <summary>The tool's commands: <c>run</c>, <c>setup</c>, <c>seed-licenses</c>, <c>report</c>.</summary>
public static class Commands
{
    public const string ApiKeyVariable = "RDS_API_KEY";
    public const string AdminApiKeyVariable = "RDS_ADMIN_API_KEY";
    public const string DefaultState = "loadtest/generated/state.json";

    public const string Usage = """
        RdsPlatform load tool: fixed-concurrency gRPC load with HdrHistogram latencies, printed like ghz.

        rds-load run --scenario <name> --host <host:port> [options]
          --scenario        health | connect-valid | connect-new | signin | request-license | generate-report
          --host            service to load, e.g. 127.0.0.1:5102 (gateway) or http://127.0.0.1:5101
          --concurrency N   calls in flight (workers), default 50
          --connections N   HTTP/2 channels shared by the workers, default concurrency/25 (at least 1)
          --total N | --duration 10s   how long to run (default --duration 10s)
          --warmup 2s | --warmup-total N   calls made first and not counted
          --timeout 20s     deadline of every call
          --subjects unique|repeated, --subject-pool N   new devices per call, or cycle through N (connect-new, request-license)
          --state FILE      setup state for connect-valid and signin (default loadtest/generated/state.json)
          --host-id ID      session host for connect-new and request-license (default: the setup state's, else bench-host)
          --report-kind per-device|per-user|summary|failed-per-user   for generate-report (default per-device)
          --service NAME    health: the service to check (default "", the whole server)
          --name TEXT       label of the run; --json prints ghz's JSON report instead of text

        rds-load setup --gateway <host:port> --license-server <host:port> [--license-server-entry URL]
                       [--devices 1000] [--host-id bench-host] [--past-grace] [--parallelism 16]
                       [--state loadtest/generated/state.json] [--ghz-data loadtest/generated]
          Activates the license server, installs a Per Device 2022 pack, registers a Per Device host, optionally advances
          simulated time past its grace period, gives every device a permanent CAL and an open session, and writes the state
          plus ghz files (connect-valid.data.json, signin.data.json, client.metadata.json with the client key if any) and
          h2load bodies (connect-valid.grpc, signin.grpc: one framed gRPC message each, of the first device).

        rds-load seed-licenses --data-dir DIR --count 1000000 [--key-pack-id GUID | --license-server <host:port>]
                               [--subject-prefix seed] [--cal-type per-device|per-user]
                               [--storage-provider Postgres --connection-string CS]
          Writes issued CALs (Per Device, or Per User of domain BENCH) straight into the license server's database (start
          the server once first): its SQLite file in --data-dir, or with --storage-provider Postgres (or Storage__Provider)
          its PostgreSQL database (--connection-string or ConnectionStrings__licensing) by binary COPY.
          Permanent CALs of the given pack (--license-server activates that server, installs a pack of --count CALs and
          dates the CALs by its clock),
          else temporary CALs.

        rds-load report --host <reporting host:port> [--kind per-device] [--csv FILE] [--timeout 10m] [--json]
          Generates one report and exports it as CSV, timing both.

        Every call carries 'authorization: Bearer <key>' when a key is given: --api-key or RDS_API_KEY for the role the
        scenario needs (client: connect-*, signin; session-host: request-license; reporter: generate-report, report; health
        needs none), and for setup/seed-licenses also --admin-api-key or RDS_ADMIN_API_KEY (activation, key packs, host
        settings, the clock; setup's Connect and SignIn use the client key).
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var arguments = Arguments.Parse(args);
            return arguments.Command switch
            {
                "run" => await RunLoadAsync(arguments, output, cancellationToken),
                "setup" => await SetupAsync(arguments, output, cancellationToken),
                "seed-licenses" => await SeedAsync(arguments, output, cancellationToken),
                "report" => await ReportAsync(arguments, output, cancellationToken),
                _ => throw new UsageException($"Unknown command '{arguments.Command}'; use run, setup, seed-licenses or report."),
            };
        }
        catch (UsageException ex)
        {
            errors.WriteLine(ex.Message);
            return 2;
        }
        catch (SetupException ex)
        {
            errors.WriteLine("Setup failed: " + ex.Message);
            return 3;
        }
        catch (RpcException ex)
        {
            errors.WriteLine($"The service answered {ex.StatusCode}: {ex.Status.Detail}");
            return 4;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            errors.WriteLine("Stopped.");
            return 130;
        }
    }

    /// <summary>The key of the role the command's calls need (client for Connect/SignIn, session-host for RequestLicense, reporter for reports).</summary>
    public static string? ApiKey(Arguments arguments) => arguments.Get("api-key") ?? Environment.GetEnvironmentVariable(ApiKeyVariable);

    /// <summary>The admin key for setup and seeding (activation, key packs, host settings, the clock); falls back to the API key.</summary>
    public static string? AdminApiKey(Arguments arguments) =>
        arguments.Get("admin-api-key") ?? Environment.GetEnvironmentVariable(AdminApiKeyVariable) ?? ApiKey(arguments);

    private static async Task<int> RunLoadAsync(Arguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var scenarioName = arguments.Required("scenario", $"one of {string.Join(", ", Scenarios.Names)}.");
        var target = ChannelPool.ParseAddress(arguments.Required("host", "the address of the service to load, e.g. 127.0.0.1:5102."));
        var concurrency = arguments.Int("concurrency", 50, 1, 10_000);
        var connections = arguments.Int("connections", Math.Max(1, concurrency / 25), 1, 256);
        var total = arguments.Get("total") is null ? (long?)null : arguments.Int("total", 0, 1);
        var duration = arguments.Duration("duration");
        if (total is not null && duration is not null)
        {
            throw new UsageException("Give either --total or --duration, not both.");
        }

        if (total is null && duration is null)
        {
            duration = TimeSpan.FromSeconds(10);
        }

        var warmup = arguments.Duration("warmup");
        var warmupTotal = arguments.Get("warmup-total") is null ? (long?)null : arguments.Int("warmup-total", 0, 1);
        var timeout = arguments.Duration("timeout") ?? LoadSettings.DefaultCallTimeout;
        var json = arguments.Flag("json");
        var name = arguments.Get("name") ?? scenarioName;
        var scenario = CreateScenario(scenarioName, arguments);
        var apiKey = ApiKey(arguments);
        arguments.ThrowOnUnused();

        using var pool = new ChannelPool(target, connections, apiKey);
        long next = 0;
        if (warmup is not null || warmupTotal is not null)
        {
            var warm = await LoadRunner.RunAsync(scenario, pool, new LoadSettings(concurrency, warmupTotal, warmupTotal is null ? warmup : null, timeout), next, cancellationToken);
            next = warm.NextRequestNumber;
        }

        var result = await LoadRunner.RunAsync(scenario, pool, new LoadSettings(concurrency, total, duration, timeout), next, cancellationToken);
        var summary = LoadSummary.From(name, scenario.Call, target.ToString(), concurrency, pool.Count, result);
        output.WriteLine(json ? SummaryFormatter.ToJson(summary) : SummaryFormatter.ToText(summary));
        return 0;
    }

    internal static IScenario CreateScenario(string name, Arguments arguments)
    {
        var subjects = (arguments.Get("subjects") ?? "unique").ToLowerInvariant() switch
        {
            "unique" => SubjectMode.Unique,
            "repeated" => SubjectMode.Repeated,
            var other => throw new UsageException($"--subjects must be unique or repeated; '{other}' is neither."),
        };
        var pool = arguments.Int("subject-pool", 1000, 1);
        var statePath = arguments.Get("state") ?? DefaultState;
        var runId = arguments.Get("run-id") ?? "load-" + Guid.NewGuid().ToString("N")[..8];
        var hostIdOption = arguments.Get("host-id");
        var reportKind = ParseReportKind(arguments.Get("report-kind") ?? "per-device");
        var service = arguments.Get("service") ?? "";
        string HostId() => hostIdOption ?? (File.Exists(statePath) ? SetupState.Load(statePath).HostId : "bench-host");

        return name switch
        {
            "health" => new Scenarios.Health(service),
            "connect-valid" => new Scenarios.ConnectValid(SetupState.Load(statePath)),
            "connect-new" => new Scenarios.ConnectNew(HostId(), runId, subjects, pool),
            "signin" => new Scenarios.SignIn(SetupState.Load(statePath)),
            "request-license" => new Scenarios.RequestLicense(HostId(), runId, subjects, pool,
                subjects == SubjectMode.Repeated && File.Exists(statePath) ? SetupState.Load(statePath).Devices : null),
            "generate-report" => new Scenarios.GenerateReport(reportKind),
            _ => throw new UsageException($"Unknown scenario '{name}'; choose one of {string.Join(", ", Scenarios.Names)}."),
        };
    }

    private static async Task<int> SetupAsync(Arguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var gateway = ChannelPool.ParseAddress(arguments.Required("gateway", "the session-host gateway, e.g. 127.0.0.1:5102."));
        var licenseServer = ChannelPool.ParseAddress(arguments.Required("license-server", "the license server, e.g. 127.0.0.1:5101."));
        var apiKey = ApiKey(arguments);
        var adminKey = AdminApiKey(arguments);
        var options = new SetupOptions(
            gateway,
            licenseServer,
            arguments.Get("license-server-entry") ?? licenseServer.ToString().TrimEnd('/'),
            arguments.Get("host-id") ?? "bench-host",
            arguments.Int("devices", 1000, 1, 1_000_000),
            arguments.Get("device-prefix") ?? "bench-dev",
            arguments.Flag("past-grace"),
            arguments.Int("parallelism", 16, 1, 256),
            ChannelPool.ApiKeyHeaders(apiKey),
            ChannelPool.ApiKeyHeaders(adminKey));
        var statePath = arguments.Get("state") ?? DefaultState;
        var ghzData = arguments.Get("ghz-data") ?? Path.GetDirectoryName(Path.GetFullPath(statePath))!;
        arguments.ThrowOnUnused();

        var state = await new SetupCommand(options, output).RunAsync(cancellationToken);
        state.Save(statePath);
        SetupCommand.WriteGhzData(state, ghzData);
        SetupCommand.WriteH2loadBodies(state, ghzData);
        SetupCommand.WriteGhzMetadata(apiKey, ghzData);
        output.WriteLine($"Wrote {statePath} and the ghz files connect-valid.data.json, signin.data.json and client.metadata.json in {ghzData}.");
        return 0;
    }

    private static async Task<int> SeedAsync(Arguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        // The license server's own settings choose the database (arguments first, then its environment variables).
        var target = LicenseSeedTarget.From(
            arguments.Get("storage-provider") ?? Environment.GetEnvironmentVariable("Storage__Provider"),
            arguments.Get("data-dir"),
            arguments.Get("connection-string") ?? Environment.GetEnvironmentVariable("ConnectionStrings__licensing"));
        var count = arguments.Int("count", 1_000_000, 1, 100_000_000);
        var packText = arguments.Get("key-pack-id");
        Guid? pack = packText is null ? null
            : Guid.TryParse(packText, out var id) ? id : throw new UsageException($"--key-pack-id must be a key pack id (a GUID); '{packText}' is not.");
        var prefix = arguments.Get("subject-prefix") ?? "seed";
        var calType = (arguments.Get("cal-type") ?? "per-device") switch
        {
            "per-device" => Licensing.CalType.PerDevice,
            "per-user" => Licensing.CalType.PerUser,
            var other => throw new UsageException($"--cal-type must be per-device or per-user; '{other}' is not."),
        };
        var licenseServer = arguments.Get("license-server");
        var headers = ChannelPool.ApiKeyHeaders(AdminApiKey(arguments));
        arguments.ThrowOnUnused();

        // The CALs are dated by the license server's clock (simulated time may be far ahead), else by the wall clock.
        var now = TimeProvider.System.GetUtcNow();
        if (licenseServer is not null)
        {
            var installed = await LicenseSeeder.InstallPackAsync(ChannelPool.ParseAddress(licenseServer), count, calType, headers, cancellationToken);
            pack = installed.KeyPackId;
            now = installed.ServerNow;
            output.WriteLine($"Installed {calType} 2022 key pack {pack} with {count:N0} CALs; the seeded CALs take its seats.");
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var written = await LicenseSeeder.SeedAsync(target, count, pack, now, prefix, calType,
            n => output.WriteLine($"  {n:N0} CALs written"), cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Seeded {written:N0} issued {calType} CALs in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s."));
        return 0;
    }

    private static async Task<int> ReportAsync(Arguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var reporting = ChannelPool.ParseAddress(arguments.Required("host", "the reporting service, e.g. 127.0.0.1:5103."));
        var kind = ParseReportKind(arguments.Get("kind") ?? "per-device");
        var csv = arguments.Get("csv");
        var timeout = arguments.Duration("timeout") ?? TimeSpan.FromMinutes(10);
        var json = arguments.Flag("json");
        var headers = ChannelPool.ApiKeyHeaders(ApiKey(arguments));
        arguments.ThrowOnUnused();

        var timing = await ReportBenchmark.RunAsync(reporting, kind, csv, headers, timeout, cancellationToken);
        if (json)
        {
            output.WriteLine(new JsonObject
            {
                ["reportId"] = timing.ReportId,
                ["entries"] = timing.Entries,
                ["generateSeconds"] = Math.Round(timing.Generate.TotalSeconds, 3),
                ["exportSeconds"] = Math.Round(timing.Export.TotalSeconds, 3),
                ["totalSeconds"] = Math.Round(timing.Total.TotalSeconds, 3),
                ["csvBytes"] = timing.CsvBytes,
                ["csvLines"] = timing.CsvLines,
            }.ToJsonString());
        }
        else
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Report {timing.ReportId}: {timing.Entries:N0} entries generated in {timing.Generate.TotalSeconds:0.00} s, exported as {timing.CsvBytes:N0} bytes of CSV ({timing.CsvLines:N0} lines) in {timing.Export.TotalSeconds:0.00} s; total {timing.Total.TotalSeconds:0.00} s."));
        }

        return 0;
    }

    private static ReportKind ParseReportKind(string text) => text.ToLowerInvariant() switch
    {
        "per-device" => ReportKind.PerDevice,
        "per-user" => ReportKind.PerUser,
        "summary" => ReportKind.Summary,
        "failed-per-user" => ReportKind.FailedPerUser,
        _ => throw new UsageException($"'{text}' is not a report kind; use per-device, per-user, summary or failed-per-user."),
    };
}
