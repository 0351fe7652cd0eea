using System.Text.RegularExpressions;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Mapping;
using RdsPlatform.Licensing;

namespace RdsPlatform.SessionHost.Grpc;

/// <summary>Input limits of the gateway's requests; every refusal names the field and says what is allowed.</summary>
internal static partial class RequestValidation
{
    public const int MaxLicenseServers = 8;
    public const int MaxNameLength = 256;
    public const int MaxCertificateBytes = 4096;
    public const int DefaultHostsPageSize = 50;
    public const int MaxHostsPageSize = 500;

    public static List<FieldViolation> HostId(string hostId, List<FieldViolation>? problems = null)
    {
        problems ??= [];
        if (!HostIdPattern().IsMatch(hostId))
        {
            problems.Add(new("host_id", "Give the session host id as 1 to 64 letters, digits, '.', '-' or '_'."));
        }

        return problems;
    }

    /// <summary>The page size to use, the host id the page starts after (null for the first page), or the problems.</summary>
    public static List<FieldViolation> ListHosts(ListSessionHostsRequest request, out int pageSize, out string? after)
    {
        var problems = new List<FieldViolation>();
        pageSize = request.PageSize == 0 ? DefaultHostsPageSize : request.PageSize;
        if (request.PageSize is < 0 or > MaxHostsPageSize)
        {
            problems.Add(new("page_size", $"Ask for 1 to {MaxHostsPageSize} session hosts per page, or 0 for {DefaultHostsPageSize}."));
        }

        after = null;
        if (request.PageToken.Length > 0 && !HostPageToken.TryRead(request.PageToken, out after))
        {
            problems.Add(new("page_token", "The page token is not one this gateway returned; start again with an empty page_token."));
        }

        return problems;
    }

    public static List<FieldViolation> Configure(ConfigureSessionHostRequest request)
    {
        var problems = HostId(request.HostId);
        if (ContractMapping.ToCore(request.Version) is null)
        {
            problems.Add(new("version", "Specify the session host's Windows Server version: PRODUCT_VERSION_2016, _2019, _2022 or _2025."));
        }

        if (ContractMapping.ToCore(request.LicensingMode) is null)
        {
            problems.Add(new("licensing_mode", "Specify the licensing mode: LICENSING_MODE_PER_DEVICE, LICENSING_MODE_PER_USER or LICENSING_MODE_NOT_CONFIGURED."));
        }

        if (request.LicenseServers.Count > MaxLicenseServers)
        {
            problems.Add(new("license_servers", $"Specify at most {MaxLicenseServers} license servers."));
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < request.LicenseServers.Count && i < MaxLicenseServers; i++)
        {
            var entry = request.LicenseServers[i];
            if (!IsLicenseServer(entry))
            {
                problems.Add(new($"license_servers[{i}]",
                    "Give a license server as a name (letters, digits, '.', '-', up to 253 characters, for example license-server) or an absolute http:// or https:// address."));
            }
            else if (!seen.Add(entry))
            {
                problems.Add(new($"license_servers[{i}]", $"The license server {entry} is listed twice; list each once."));
            }
        }

        return problems;
    }

    public static List<FieldViolation> Connect(ConnectRequest request, Licensing.LicensingMode? mode)
    {
        var problems = HostId(request.HostId);
        var hardwareId = request.Device?.HardwareId ?? "";
        var userName = request.User?.Name ?? "";
        if (hardwareId.Length > MaxNameLength || (mode == Licensing.LicensingMode.PerDevice && string.IsNullOrWhiteSpace(hardwareId)))
        {
            problems.Add(new("device.hardware_id", $"Give the client device's hardware id (1 to {MaxNameLength} characters)."));
        }

        if ((request.Device?.ComputerName.Length ?? 0) > MaxNameLength)
        {
            problems.Add(new("device.computer_name", $"Give the computer name in at most {MaxNameLength} characters."));
        }

        if ((request.User?.Domain.Length ?? 0) > MaxNameLength || (request.User?.Domain.Contains('\\') ?? false))
        {
            problems.Add(new("user.domain", $"Give the user's domain without '\\' in at most {MaxNameLength} characters (empty for a workgroup account)."));
        }

        if (userName.Length > MaxNameLength || userName.Contains('\\') || (mode == Licensing.LicensingMode.PerUser && string.IsNullOrWhiteSpace(userName)))
        {
            problems.Add(new("user.name", $"Give the user's account name without '\\' (1 to {MaxNameLength} characters)."));
        }

        Printable(problems, "device.hardware_id", hardwareId);
        Printable(problems, "device.computer_name", request.Device?.ComputerName);
        Printable(problems, "user.domain", request.User?.Domain);
        Printable(problems, "user.name", userName);
        if ((request.PresentedCertificate?.Data.Length ?? 0) > MaxCertificateBytes)
        {
            problems.Add(new("presented_certificate.data", $"A CAL certificate is at most {MaxCertificateBytes} bytes; present the bytes the gateway returned, unchanged."));
        }

        return problems;
    }

    public static List<FieldViolation> SessionId(string sessionId)
    {
        List<FieldViolation> problems = [];
        if (!SessionIdPattern().IsMatch(sessionId))
        {
            problems.Add(new("session_id", "Give the session id that Connect returned (32 hexadecimal characters)."));
        }

        return problems;
    }

    /// <summary>The shared character rules (<see cref="InputRules.Text"/>), for a field whose length was not already refused.</summary>
    private static void Printable(List<FieldViolation> problems, string field, string? value)
    {
        if (!problems.Exists(p => p.Field == field))
        {
            problems.Add(field, InputRules.Text(value, MaxNameLength));
        }
    }

    private static bool IsLicenseServer(string entry)
    {
        if (entry.Contains("://", StringComparison.Ordinal))
        {
            return entry.Length <= 2048 && Uri.TryCreate(entry, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo);
        }

        return ServerNamePattern().IsMatch(entry);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex HostIdPattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")]
    private static partial Regex ServerNamePattern();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex SessionIdPattern();
}
