using System.Text.RegularExpressions;

namespace RdsPlatform.Testing;

/// <summary>Reads a Prometheus text-format scrape.</summary>
public static class Scrape
{
    /// <summary>True when the scrape has a sample of <paramref name="series"/> (with or without labels).</summary>
    public static bool Has(string scrape, string series) =>
        Regex.IsMatch(scrape, $"^{Regex.Escape(series)}(\\{{| )", RegexOptions.Multiline);
}
