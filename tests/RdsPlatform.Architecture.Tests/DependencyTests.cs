using System.Xml.Linq;

namespace RdsPlatform.Architecture.Tests;

/// <summary>What each project may depend on (docs/architecture.md, "Projects"): the rules stay pure, services stay apart.</summary>
public sealed class DependencyTests
{
    private static readonly string[] Services = ["RdsPlatform.LicenseServer", "RdsPlatform.SessionHost", "RdsPlatform.Reporting"];

    [Fact]
    public void TheLicensingCoreDependsOnNothingButTheFramework()
    {
        var core = Project("RdsPlatform.Licensing");

        Assert.Empty(core.Projects);
        Assert.Empty(core.Packages);
    }

    [Fact]
    public void TheContractsDependOnNoProjectOfOurs()
    {
        Assert.Empty(Project("RdsPlatform.Contracts").Projects);
    }

    [Fact]
    public void ServiceDefaultsKnowsOnlyTheContractsAndTheCore()
    {
        Assert.Equal(["RdsPlatform.Contracts", "RdsPlatform.Licensing"], Project("RdsPlatform.ServiceDefaults").Projects);
    }

    [Theory]
    [InlineData("RdsPlatform.LicenseServer")]
    [InlineData("RdsPlatform.SessionHost")]
    [InlineData("RdsPlatform.Reporting")]
    [InlineData("RdsPlatform.Manager")]
    public void AServiceReachesTheOthersOnlyThroughTheirContracts(string service)
    {
        Assert.Equal(["RdsPlatform.Contracts", "RdsPlatform.Licensing", "RdsPlatform.ServiceDefaults"], Project(service).Projects);
    }

    [Fact]
    public void TheCommandLineToolSpeaksOnlyTheContracts()
    {
        Assert.Equal(["RdsPlatform.Contracts"], Project("RdsPlatform.Cli").Projects);
    }

    [Fact]
    public void NoServiceReferencesAnotherService()
    {
        var crossings = Services
            .SelectMany(service => Project(service).Projects.Where(Services.Contains).Select(other => $"{service} -> {other}"))
            .ToList();

        Assert.Empty(crossings);
    }

    private static (IReadOnlyList<string> Projects, IReadOnlyList<string> Packages) Project(string name)
    {
        var file = Path.Combine(SourceTree.Src, name, name + ".csproj");
        var project = XDocument.Load(file);
        IReadOnlyList<string> References(string item) =>
            [.. project.Descendants(item)
                .Select(reference => (string?)reference.Attribute("Include") ?? "")
                .Select(include => Path.GetFileNameWithoutExtension(include.Replace('\\', '/')))
                .Order(StringComparer.Ordinal)];

        return (References("ProjectReference"), References("PackageReference"));
    }
}
