using System.Text.Json;
using System.Text.Json.Serialization;

namespace RdsPlatform.LoadTest.Setup;

/// <summary>One device that holds a valid permanent Per Device CAL, with a session opened for it.</summary>
public sealed record BenchDevice(string HardwareId, string ComputerName, string Certificate, string SessionId);

/// <summary>What <c>setup</c> created and the scenarios need: written as JSON so that later runs and ghz can reuse it.</summary>
public sealed record SetupState(string Gateway, string LicenseServer, string HostId, string Version, bool PastGrace, IReadOnlyList<BenchDevice> Devices)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static SetupState Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new Cli.UsageException($"No setup state at {path}; run 'setup' first (it writes that file), or pass --state.");
        }

        return JsonSerializer.Deserialize<SetupState>(File.ReadAllText(path), Json)
            ?? throw new Cli.UsageException($"{path} is empty; run 'setup' again.");
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }
}
