using System.Text;
using RdsPlatform.Testing;

namespace RdsPlatform.Cli.Tests;

public sealed class ReportCommandTests
{
    [Fact]
    public async Task AReportIsGeneratedListedShownExportedAndDeleted()
    {
        await using var farm = new CliFarm();
        await farm.RunOkAsync("host", "configure", "rdsh-01", "--version", "2022", "--mode", "per-device", "--server", "license-server");
        await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-0001", "--computer-name", "PC-0001", "--user", "CONTOSO\\alice");
        await farm.RunOkAsync("host", "connect", "--api-key", TestKeys.Client, "rdsh-01", "--hardware-id", "HW-0002", "--computer-name", "PC-0002", "--user", "CONTOSO\\bob");

        var generated = (await farm.RunOkAsync("report", "generate", "--kind", "per-device", "--json")).Json().GetProperty("report");
        var id = generated.GetProperty("reportId").GetString()!;
        Assert.Equal("REPORT_KIND_PER_DEVICE", generated.GetProperty("kind").GetString());
        Assert.Equal("2", generated.GetProperty("entryCount").GetString());

        var listed = (await farm.RunOkAsync("report", "list", "--json")).Json().GetProperty("reports");
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).GetProperty("reportId").GetString());
        Assert.Contains(id, (await farm.RunOkAsync("report", "list")).Out);

        var shown = await farm.RunOkAsync("report", "show", id);
        Assert.Contains("HW-0001", shown.Out);
        Assert.Contains("PC-0002", shown.Out);
        Assert.Contains("2 entries.", shown.Out);
        var page = (await farm.RunOkAsync("report", "show", id, "--limit", "1", "--json")).Json();
        Assert.Equal(1, page.GetProperty("entries").GetArrayLength());
        Assert.Equal("2", page.GetProperty("total").GetString());

        var file = farm.TempPath("per-device.csv");
        var exported = await farm.RunOkAsync("report", "export", id, "--output", file);
        Assert.Contains($"Exported report {id} to {file}", exported.Out);
        var csv = await File.ReadAllLinesAsync(file);
        Assert.Equal(3, csv.Length);
        Assert.Contains(csv, line => line.Contains("HW-0002"));

        var piped = await farm.RunOkAsync("report", "export", id, "--output", "-");
        Assert.Equal("", piped.Out);
        Assert.Equal(await File.ReadAllBytesAsync(file), piped.StandardOutputBytes);
        Assert.Contains("HW-0001", Encoding.UTF8.GetString(piped.StandardOutputBytes));

        var deleted = await farm.RunOkAsync("report", "delete", id);
        Assert.Contains($"Deleted report {id}.", deleted.Out);
        Assert.Contains("No reports are stored.", (await farm.RunOkAsync("report", "list")).Out);
        var gone = await farm.RunAsync("report", "show", id);
        Assert.Equal(1, gone.ExitCode);
        Assert.StartsWith("error: NotFound: ", gone.Error);
    }

    [Fact]
    public async Task ExportingAMissingReportLeavesNoFileBehind()
    {
        await using var farm = new CliFarm();
        var file = farm.TempPath("missing.csv");

        var result = await farm.RunAsync("report", "export", "no-such-report", "--output", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches("^error: (NotFound|InvalidArgument): ", result.Error);
        Assert.False(File.Exists(file));
        Assert.False(File.Exists(file + ".partial"));
    }

    [Fact]
    public async Task GenerateAndExportSayWhatIsMissing()
    {
        await using var farm = new CliFarm();

        var noKind = await farm.RunAsync("report", "generate");
        var badKind = await farm.RunAsync("report", "generate", "--kind", "everything");
        var noOutput = await farm.RunAsync("report", "export", "r-1");

        Assert.Equal(2, noKind.ExitCode);
        Assert.Contains("--kind: per-user, per-device, summary, failed-per-user", noKind.Error);
        Assert.Equal(2, badKind.ExitCode);
        Assert.Equal(2, noOutput.ExitCode);
        Assert.Contains("--output FILE", noOutput.Error);
    }

    [Fact]
    public async Task SummaryReportShowsInstalledAgainstIssued()
    {
        await using var farm = new CliFarm();
        await farm.ActivateAsync();
        await farm.InstallAsync("per-user", "2022", 25);

        var id = (await farm.RunOkAsync("report", "generate", "--kind", "summary", "--json")).Json().GetProperty("report").GetProperty("reportId").GetString()!;
        var shown = await farm.RunOkAsync("report", "show", id);

        Assert.Contains("Installed", shown.Out);
        Assert.Contains("Per User", shown.Out);
        Assert.Contains("25", shown.Out);
    }
}
