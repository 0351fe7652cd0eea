using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RdsPlatform.Architecture.Tests;

/// <summary>Every file says what it is for before any code: a comment line, or the summary of its first type.</summary>
public sealed class FileHeaderTests
{
    [Fact]
    public void EverySourceFileNamesItsResponsibilityBeforeItsCode()
    {
        var silent = SourceTree.HandWritten(".cs")
            .Where(path => !SaysWhatItIsFor(File.ReadAllText(path)))
            .Select(SourceTree.Relative)
            .ToList();

        Assert.True(silent.Count == 0, $"Give these files a first comment line (or a <summary> on their first type) naming their one job:\n{string.Join("\n", silent)}");
    }

    [Fact]
    public void AFileWithoutAnyCommentIsCaught()
    {
        Assert.False(SaysWhatItIsFor("namespace A;\n\npublic sealed class B { }\n"));
        Assert.True(SaysWhatItIsFor("namespace A;\n\n/// <summary>Keeps B.</summary>\npublic sealed class B { }\n"));
        Assert.True(SaysWhatItIsFor("// Starts the service.\nvar app = 1;\n"));
    }

    private static bool SaysWhatItIsFor(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source).GetRoot();
        var firstToken = root.GetFirstToken(includeZeroWidth: true);
        if (firstToken.LeadingTrivia.Any(IsComment))
        {
            return true;
        }

        var firstType = root.DescendantNodes().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault()
            ?? (SyntaxNode?)root.DescendantNodes().OfType<DelegateDeclarationSyntax>().FirstOrDefault();
        return firstType is not null && firstType.GetLeadingTrivia().Any(IsComment);
    }

    private static bool IsComment(SyntaxTrivia trivia) =>
        trivia.IsKind(SyntaxKind.SingleLineCommentTrivia)
        || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia)
        || trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia)
        || trivia.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia);
}
