using System.Text.Json;
using Google.Protobuf;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RdsPlatform.Cli.Infrastructure;

/// <summary>Tables for people and JSON for scripts.</summary>
public static class Output
{
    // Defaults are written too, so that a script reads "available": 0 rather than a missing property.
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>One contract message as proto3 JSON (lowerCamelCase fields, enum names).</summary>
    public static void Json(CliHost host, IMessage message) => host.RawOut.WriteLine(Formatter.Format(message));

    /// <summary>Several contract messages (a stream) as one JSON array.</summary>
    public static void JsonArray(CliHost host, IEnumerable<IMessage> messages)
        => host.RawOut.WriteLine("[" + string.Join(",", messages.Select(m => Formatter.Format(m))) + "]");

    /// <summary>rdslic's own shapes (System.Text.Json, camelCase).</summary>
    public static void JsonValue<T>(CliHost host, T value) => host.RawOut.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public static Table Table(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)));
        }

        return table;
    }

    /// <summary>Adds a row of plain text cells (never parsed as markup: names may contain brackets).</summary>
    public static void Row(Table table, params string?[] cells) => table.AddRow(cells.Select(c => (IRenderable)new Text(c ?? "")).ToArray());

    /// <summary>A two-column "name  value" list for one object.</summary>
    public static Grid Properties(params (string Name, string? Value)[] properties)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var (name, value) in properties)
        {
            grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value ?? "-"));
        }

        return grid;
    }

    public static void Line(CliHost host, string text) => host.Out.WriteLine(text);
}
