namespace RdsPlatform.Testing;

/// <summary>
/// OpenTelemetry subscribes to meters by name across the whole process, so another test's host starting or disposing its
/// own "RdsPlatform.*" meters adds or removes series this host exports. A service runs alone in its process; tests that
/// read a host's exported metrics run alone too. (Linked into each test project: xunit wants the definition in the tests' assembly.)
/// </summary>
[Xunit.CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneInProcess
{
    public const string Name = "alone in process";
}
