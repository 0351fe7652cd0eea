using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RdsPlatform.Architecture.Tests;

/// <summary>Files and methods small enough to read in one sitting (docs/architecture.md, "Size").</summary>
public sealed class SizeLimitTests
{
    private const int MaxFileLines = 400;
    private const int MaxMethodLines = 60;

    [Fact]
    public void NoSourceFileUnderSrcIsOverFourHundredLines()
    {
        var tooLong = SourceTree.HandWritten(".cs", ".razor")
            .Select(path => (Path: SourceTree.Relative(path), Lines: File.ReadAllLines(path).Length))
            .Where(file => file.Lines > MaxFileLines)
            .Select(file => $"{file.Path}: {file.Lines} lines")
            .ToList();

        Assert.True(tooLong.Count == 0, $"Split these files (at most {MaxFileLines} lines each):\n{string.Join("\n", tooLong)}");
    }

    [Fact]
    public void NoMethodUnderSrcIsOverSixtyLines()
    {
        var tooLong = SourceTree.HandWritten(".cs")
            .SelectMany(LongMembers)
            .ToList();

        Assert.True(tooLong.Count == 0, $"Split these members (at most {MaxMethodLines} lines each):\n{string.Join("\n", tooLong)}");
    }

    [Fact]
    public void TheMethodMeasureCountsTheWholeDeclaration()
    {
        // The guard above is only as good as its measure: a 61-line method must be caught, a 60-line one not.
        var body = string.Concat(Enumerable.Repeat("        Call();\n", 57));
        var tree = CSharpSyntaxTree.ParseText($"class C\n{{\n    void Long()\n    {{\n{body}    Call();\n    }}\n\n    void Short()\n    {{\n{body}    }}\n}}\n");

        var measured = Members(tree.GetRoot()).ToDictionary(m => m.Name, m => m.Lines);

        Assert.Equal(61, measured["Long"]);
        Assert.Equal(60, measured["Short"]);
    }

    private static IEnumerable<string> LongMembers(string path)
    {
        var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(path), path: path);
        return Members(tree.GetRoot())
            .Where(member => member.Lines > MaxMethodLines)
            .Select(member => $"{SourceTree.Relative(path)}:{member.Line} {member.Name}: {member.Lines} lines");
    }

    private static IEnumerable<(string Name, int Line, int Lines)> Members(SyntaxNode root) =>
        root.DescendantNodes()
            .Where(node => node is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax)
            .Select(node =>
            {
                var span = node.GetLocation().GetLineSpan();
                return (Name(node), span.StartLinePosition.Line + 1, span.EndLinePosition.Line - span.StartLinePosition.Line + 1);
            });

    private static string Name(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax method => method.Identifier.Text,
        ConstructorDeclarationSyntax constructor => constructor.Identifier.Text + " (constructor)",
        LocalFunctionStatementSyntax local => local.Identifier.Text + " (local function)",
        AccessorDeclarationSyntax accessor => accessor.Keyword.Text + " accessor",
        _ => node.Kind().ToString(),
    };
}
