using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RdsPlatform.Architecture.Tests;

/// <summary>
/// A test class releases what it started through <c>IAsyncLifetime</c> or <c>IDisposable</c>: xunit v2 never calls a test
/// class's <c>IAsyncDisposable.DisposeAsync</c>, so services started by such a class ran on until the whole run ended.
/// </summary>
public sealed class TestClassDisposalTests
{
    [Fact]
    public void NoTestClassReliesOnIAsyncDisposable()
    {
        var undisposed = SourceTree.HandWrittenTests()
            .SelectMany(path => UndisposedTestClasses(File.ReadAllText(path)).Select(name => $"{SourceTree.Relative(path)}: {name}"))
            .ToList();

        Assert.True(undisposed.Count == 0,
            $"xunit v2 does not call DisposeAsync of these test classes; implement IAsyncLifetime instead:\n{string.Join("\n", undisposed)}");
    }

    [Fact]
    public void ATestClassDisposedOnlyAsynchronouslyIsCaught()
    {
        const string Undisposed = "public sealed class A : IAsyncDisposable { [Fact] public void T() { } public ValueTask DisposeAsync() => default; }";
        const string Lifetime = "public sealed class A : IAsyncLifetime { [Fact] public void T() { } public Task InitializeAsync() => Task.CompletedTask; public Task DisposeAsync() => Task.CompletedTask; }";
        const string Helper = "public sealed class Farm : IAsyncDisposable { public ValueTask DisposeAsync() => default; }";

        Assert.Equal(["A"], UndisposedTestClasses(Undisposed));
        Assert.Empty(UndisposedTestClasses(Lifetime));
        Assert.Empty(UndisposedTestClasses(Helper));
    }

    /// <summary>Classes with a [Fact] or [Theory] whose only disposal is IAsyncDisposable.</summary>
    private static IEnumerable<string> UndisposedTestClasses(string source) =>
        CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>()
            .Where(type => HasTests(type) && Implements(type, "IAsyncDisposable") && !Implements(type, "IAsyncLifetime") && !Implements(type, "IDisposable"))
            .Select(type => type.Identifier.Text);

    private static bool HasTests(ClassDeclarationSyntax type) =>
        type.Members.OfType<MethodDeclarationSyntax>().Any(method => method.AttributeLists
            .SelectMany(list => list.Attributes)
            .Any(attribute => attribute.Name.ToString() is "Fact" or "Theory" or "FactAttribute" or "TheoryAttribute"));

    private static bool Implements(ClassDeclarationSyntax type, string name) =>
        type.BaseList?.Types.Any(baseType => baseType.Type.ToString() == name) ?? false;
}
