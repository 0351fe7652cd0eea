using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;
using RdsPlatform.Testing;
using Xunit.Abstractions;

namespace RdsPlatform.Security.Tests;

/// <summary>
/// Every <c>google.rpc.BadRequest</c> field violation names a field path of the contract (<c>device.hardware_id</c>,
/// <c>contact.email</c>, <c>license_servers[2]</c>), so a client can point at the field it sent. The walk provokes the
/// validations of every RPC: each field of the request (nested messages by name) set alone to values that break a
/// rule, on an empty request and on a few hostile ones, and every violation's path is resolved against the request's
/// protobuf descriptor.
/// </summary>
public sealed class FieldViolationPathTests(ITestOutputHelper output)
{
    private const int HostileBases = 3;
    private const int MaxDepth = 3;

    private static readonly string[] BreakingStrings = ["", " ", "bad value", "tab\there", "NUL\0inside", new string('A', 257), new string('x', 5000)];
    private static readonly long[] BreakingNumbers = [0, 1, -1, int.MaxValue, long.MaxValue];

    [Fact]
    public async Task EveryFieldViolationOfEveryRpcNamesAFieldOfItsRequest()
    {
        await using var platform = new Platform();
        var (values, bytes) = await FuzzTests.SeedAsync(platform);
        var hostile = new HostileMessages(new Random(20261130), values, bytes);
        var failures = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var rpc in RpcCatalog.All)
        {
            var input = rpc.Descriptor.InputType;
            var invoker = platform.Invoker(platform.Servers[rpc.Server], TestKeys.ForRole(rpc.AllowedRoles[0]));
            List<IMessage> bases = [(IMessage)Activator.CreateInstance(input.ClrType)!, .. Enumerable.Range(0, HostileBases).Select(_ => hostile.Message(input))];
            foreach (var request in bases.SelectMany(b => Provocations(b, input)))
            {
                var error = await RpcCatalog.CallForErrorAsync(invoker, rpc, request, maxItems: 100);
                foreach (var violation in error?.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations ?? [])
                {
                    seen.Add($"{input.Name}:{violation.Field}");
                    if (Resolve(input, violation.Field) is { } problem)
                    {
                        failures.Add($"{rpc} named '{violation.Field}' ({problem}) for {Describe(request)}");
                    }
                }
            }
        }

        output.WriteLine($"Field violations seen: {string.Join(", ", seen.Order(StringComparer.Ordinal))}");

        // The walk reaches the validations of the core (key packs, activation) and of each service, not just the first checks.
        Assert.Contains("InstallKeyPackRequest:open_license_number", seen);
        Assert.Contains("ActivateServerRequest:contact.email", seen);
        Assert.Contains("ConnectRequest:device.hardware_id", seen);
        Assert.Contains("GenerateReportRequest:kind", seen);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Distinct().Take(20)));
    }

    /// <summary>Why <paramref name="path"/> is not a field path of <paramref name="message"/>; null when it is.</summary>
    internal static string? Resolve(MessageDescriptor message, string path)
    {
        var current = message;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var (name, indexed) = Segment(segments[i]);
            if (current is null)
            {
                return $"{segments[i - 1]} is not a message";
            }

            var field = current.FindFieldByName(name);
            if (field is null)
            {
                return $"{current.FullName} has no field '{name}'";
            }

            if (indexed && !field.IsRepeated)
            {
                return $"{field.FullName} is not repeated";
            }

            current = field.FieldType == FieldType.Message ? field.MessageType : null;
            if (i == segments.Length - 1)
            {
                return null;
            }
        }

        return "empty path";
    }

    private static (string Name, bool Indexed) Segment(string segment)
    {
        var bracket = segment.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 || !segment.EndsWith(']') || !int.TryParse(segment.AsSpan(bracket + 1, segment.Length - bracket - 2), out _)
            ? (segment, false)
            : (segment[..bracket], true);
    }

    /// <summary>The request itself, then a copy of it for each field path and each value that breaks a rule of that field's type.</summary>
    private static IEnumerable<IMessage> Provocations(IMessage request, MessageDescriptor descriptor)
    {
        yield return request;
        foreach (var path in Paths(descriptor, []))
        {
            var leaf = path[^1];
            foreach (var value in BreakingValues(leaf))
            {
                var copy = descriptor.Parser.ParseFrom(request.ToByteString());
                var owner = copy;
                foreach (var field in path.Take(path.Count - 1))
                {
                    if (field.Accessor.GetValue(owner) is not IMessage child)
                    {
                        child = (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
                        field.Accessor.SetValue(owner, child);
                    }

                    owner = child;
                }

                if (leaf.IsRepeated)
                {
                    var list = (IList)leaf.Accessor.GetValue(owner);
                    list.Clear();
                    foreach (var item in (IEnumerable)value)
                    {
                        list.Add(item);
                    }
                }
                else
                {
                    leaf.Accessor.SetValue(owner, value);
                }

                yield return copy;
            }
        }
    }

    /// <summary>Every field path of a message: each field, and the fields of each singular nested message, by name.</summary>
    private static IEnumerable<List<FieldDescriptor>> Paths(MessageDescriptor descriptor, List<FieldDescriptor> prefix)
    {
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (field.IsMap)
            {
                continue;
            }

            List<FieldDescriptor> path = [.. prefix, field];
            yield return path;
            if (field.FieldType == FieldType.Message && !field.IsRepeated && path.Count < MaxDepth)
            {
                foreach (var nested in Paths(field.MessageType, path))
                {
                    yield return nested;
                }
            }
        }
    }

    private static IEnumerable<object> BreakingValues(FieldDescriptor field)
    {
        var singles = Singles(field).ToList();
        if (!field.IsRepeated)
        {
            return singles;
        }

        // A repeated field: each breaking item alone, the same item twice, and far too many items.
        var first = singles.FirstOrDefault(v => v is not string { Length: 0 }) ?? singles[0];
        return singles.Select(v => (object)new[] { v })
            .Append(new[] { first, first })
            .Append(Enumerable.Repeat(first, 1000).ToArray());
    }

    private static IEnumerable<object> Singles(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => BreakingStrings,
        FieldType.Bytes => [ByteString.Empty, ByteString.CopyFrom(new byte[] { 1, 2, 3 }), ByteString.CopyFrom(new byte[10_000])],
        FieldType.Bool => [true],
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => BreakingNumbers.Select(n => (object)(int)Math.Clamp(n, int.MinValue, int.MaxValue)),
        FieldType.UInt32 or FieldType.Fixed32 => BreakingNumbers.Select(n => (object)(uint)Math.Clamp(n, 0, uint.MaxValue)),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => BreakingNumbers.Select(n => (object)n),
        FieldType.UInt64 or FieldType.Fixed64 => BreakingNumbers.Select(n => (object)(ulong)Math.Max(n, 0)),
        FieldType.Double => [double.NaN, -1d, double.MaxValue],
        FieldType.Float => [float.NaN, -1f],
        FieldType.Enum => field.EnumType.Values.Select(v => (object)v.Number).Append(99).Append(-1),
        FieldType.Message => [Activator.CreateInstance(field.MessageType.ClrType)!],
        _ => [],
    };

    private static string Describe(IMessage request)
    {
        var text = request.ToString() ?? "";
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
