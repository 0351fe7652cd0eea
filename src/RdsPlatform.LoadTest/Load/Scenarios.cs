using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.Licensing.V1;
using RdsPlatform.Contracts.Reporting.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.LoadTest.Setup;

using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;

namespace RdsPlatform.LoadTest.Load;

/// <summary>Whether each call uses a new subject (a device never seen) or cycles through a fixed pool of subjects.</summary>
public enum SubjectMode
{
    Unique,
    Repeated,
}

/// <summary>The scenarios the tool drives, by the names the command line and bench.sh use.</summary>
public static class Scenarios
{
    public static readonly string[] Names = ["health", "connect-valid", "connect-new", "signin", "request-license", "generate-report"];

    /// <summary><c>grpc.health.v1.Health/Check</c>: the bare-gRPC baseline every other throughput is compared with.</summary>
    public sealed class Health(string service = "") : IScenario
    {
        public string Name => "health";

        public string Call => "grpc.health.v1.Health.Check";

        public ScenarioCall CreateCall(GrpcChannel channel)
        {
            var client = new Grpc.Health.V1.Health.HealthClient(channel);
            var request = new HealthCheckRequest { Service = service };
            return async (_, options) =>
            {
                var response = await client.CheckAsync(request, options).ConfigureAwait(false);
                return response.Status.ToString();
            };
        }
    }

    /// <summary>Connect presenting a valid permanent certificate from setup: the hot path, decided in the gateway without the license server.</summary>
    public sealed class ConnectValid(SetupState state) : IScenario
    {
        private readonly ConnectRequest[] _requests = state.Devices.Count == 0
            ? throw new Cli.UsageException("The setup state has no devices; run 'setup --devices N' first.")
            : state.Devices.Select(d => new ConnectRequest
            {
                HostId = state.HostId,
                Device = new Device { HardwareId = d.HardwareId, ComputerName = d.ComputerName },
                User = new User { Domain = "CONTOSO", Name = "bench" },
                PresentedCertificate = new CalCertificate { Data = ByteString.FromBase64(d.Certificate) },
            }).ToArray();

        public string Name => "connect-valid";

        public string Call => "rds.sessionhost.v1.SessionHostGateway.Connect";

        public ScenarioCall CreateCall(GrpcChannel channel)
        {
            var client = new SessionHostGateway.SessionHostGatewayClient(channel);
            return async (n, options) => Outcome(await client.ConnectAsync(_requests[n % _requests.Length], options).ConfigureAwait(false));
        }
    }

    /// <summary>Connect of devices that present no certificate: with unique subjects each call is a first connection (a temporary CAL is issued).</summary>
    public sealed class ConnectNew(string hostId, string runId, SubjectMode subjects, int pool) : IScenario
    {
        public string Name => "connect-new";

        public string Call => "rds.sessionhost.v1.SessionHostGateway.Connect";

        public ScenarioCall CreateCall(GrpcChannel channel)
        {
            var client = new SessionHostGateway.SessionHostGatewayClient(channel);
            var user = new User { Domain = "CONTOSO", Name = "bench" };
            return async (n, options) =>
            {
                var id = SubjectNumber(n, subjects, pool);
                var request = new ConnectRequest
                {
                    HostId = hostId,
                    Device = new Device { HardwareId = $"{runId}-{id}", ComputerName = $"PC-{runId}-{id}" },
                    User = user,
                };
                return Outcome(await client.ConnectAsync(request, options).ConfigureAwait(false));
            };
        }
    }

    /// <summary>SignIn on the sessions setup opened for devices with permanent CALs.</summary>
    public sealed class SignIn(SetupState state) : IScenario
    {
        private readonly SignInRequest[] _requests = state.Devices.Count == 0
            ? throw new Cli.UsageException("The setup state has no sessions; run 'setup --devices N' first.")
            : state.Devices.Select(d => new SignInRequest { SessionId = d.SessionId }).ToArray();

        public string Name => "signin";

        public string Call => "rds.sessionhost.v1.SessionHostGateway.SignIn";

        public ScenarioCall CreateCall(GrpcChannel channel)
        {
            var client = new SessionHostGateway.SessionHostGatewayClient(channel);
            return async (n, options) =>
            {
                var response = await client.SignInAsync(_requests[n % _requests.Length], options).ConfigureAwait(false);
                return ReasonName(response.Reason);
            };
        }
    }

    /// <summary>RequestLicense straight to the license server: unique subjects issue temporary CALs, repeated ones return the subject's CAL.</summary>
    public sealed class RequestLicense(string hostId, string runId, SubjectMode subjects, int pool, IReadOnlyList<BenchDevice>? known = null) : IScenario
    {
        public string Name => "request-license";

        public string Call => "rds.licensing.v1.LicenseServer.RequestLicense";

        public ScenarioCall CreateCall(GrpcChannel channel)
        {
            var client = new LicenseServerClient(channel);
            return async (n, options) =>
            {
                string hardwareId;
                if (subjects == SubjectMode.Repeated && known is { Count: > 0 })
                {
                    hardwareId = known[(int)(n % known.Count)].HardwareId;
                }
                else
                {
                    hardwareId = $"{runId}-{SubjectNumber(n, subjects, pool)}";
                }

                var request = new RequestLicenseRequest
                {
                    SessionHostId = hostId,
                    SessionHostVersion = ProductVersion._2022,
                    CalType = CalType.PerDevice,
                    HardwareId = hardwareId,
                    ComputerName = "PC-" + hardwareId,
                };
                var response = await client.RequestLicenseAsync(request, options).ConfigureAwait(false);
                return ReasonName(response.Reason);
            };
        }
    }

    /// <summary>GenerateReport on the reporting service (by default the Per Device report).</summary>
    public sealed class GenerateReport(ReportKind kind) : IScenario
    {
        public string Name => "generate-report";

        public string Call => "rds.reporting.v1.Reporting.GenerateReport";

        public ScenarioCall CreateCall(GrpcChannel channel)
        {
            var client = new Contracts.Reporting.V1.Reporting.ReportingClient(channel);
            var request = new GenerateReportRequest { Kind = kind };
            return async (_, options) =>
            {
                var response = await client.GenerateReportAsync(request, options).ConfigureAwait(false);
                return response.Report.Kind.ToString();
            };
        }
    }

    public static long SubjectNumber(long requestNumber, SubjectMode subjects, int pool) =>
        subjects == SubjectMode.Unique ? requestNumber : requestNumber % Math.Max(1, pool);

    /// <summary><c>VALID_CAL</c>, or <c>DENIED NO_LICENSES_AVAILABLE</c> when the connection was refused.</summary>
    public static string Outcome(ConnectResponse response) =>
        response.Admitted ? ReasonName(response.Reason) : "DENIED " + ReasonName(response.Reason);

    /// <summary>The proto name of a reason code (<c>VALID_CAL</c>), as an operator reads it in logs and ghz output.</summary>
    public static string ReasonName(ReasonCode reason) =>
        ReasonCodes.FindValueByNumber((int)reason)?.Name.Replace("REASON_CODE_", "", StringComparison.Ordinal)
        ?? ((int)reason).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly Google.Protobuf.Reflection.EnumDescriptor ReasonCodes =
        CommonReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(ReasonCode));
}
