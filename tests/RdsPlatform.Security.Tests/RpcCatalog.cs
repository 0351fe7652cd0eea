using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using RdsPlatform.Reporting.Grpc;
using RdsPlatform.ServiceDefaults.Clock;
using RdsPlatform.ServiceDefaults.Security;
using RdsPlatform.SessionHost.Grpc;
using LicenseServerService = RdsPlatform.LicenseServer.Grpc.LicenseServerService;

namespace RdsPlatform.Security.Tests;

/// <summary>One RPC of one service, found by reflection over the generated descriptors, with the roles its override declares.</summary>
public sealed record Rpc(string Server, MethodDescriptor Descriptor, IReadOnlyList<string> AllowedRoles)
{
    public string FullName => $"/{Descriptor.Service.FullName}/{Descriptor.Name}";

    public override string ToString() => $"{Server}{FullName}";
}

/// <summary>
/// Every RPC of every service, enumerated from the generated service descriptors (so a new RPC is covered without
/// touching the tests), and a way to call any of them with any message.
/// </summary>
public static class RpcCatalog
{
    /// <summary>The gRPC services each test server hosts (besides health and reflection), by server name.</summary>
    public static readonly IReadOnlyList<(string Server, Type Implementation)> Services =
    [
        ("license-server", typeof(LicenseServerService)),
        ("license-server", typeof(ClockService)),
        ("gateway", typeof(SessionHostGatewayService)),
        ("gateway", typeof(ClockService)),
        ("reporting", typeof(ReportingService)),
        ("reporting", typeof(ClockService)),
    ];

    public static IReadOnlyList<Rpc> All { get; } = Services.SelectMany(s => Enumerate(s.Server, s.Implementation)).ToList();

    public static ServiceDescriptor Descriptor(Type implementation)
    {
        for (var type = implementation.BaseType; type is not null; type = type.BaseType)
        {
            if (type.DeclaringType?.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is ServiceDescriptor descriptor)
            {
                return descriptor;
            }
        }

        throw new ArgumentException($"{implementation} is not a generated gRPC service.", nameof(implementation));
    }

    /// <summary>Calls the RPC and reads a streamed answer to its end (at most <paramref name="maxItems"/> items); the status the caller sees.</summary>
    public static async Task<Status> CallAsync(CallInvoker invoker, Rpc rpc, IMessage request, int maxItems = 100_000) =>
        (await CallForErrorAsync(invoker, rpc, request, maxItems))?.Status ?? Status.DefaultSuccess;

    /// <summary>As <see cref="CallAsync"/>, but the whole error (with its trailers and status details), or null on success.</summary>
    public static async Task<RpcException?> CallForErrorAsync(CallInvoker invoker, Rpc rpc, IMessage request, int maxItems = 100_000)
    {
        var descriptor = rpc.Descriptor;
        // A stream asked to follow (GetAuditTrail's follow) stays open until its deadline by design: the caller ends it by
        // cancelling after a short window (a short deadline instead raced the server's own deadline, whose reset of a call
        // that had sent no headers yet the in-memory test server surfaces as Internal).
        using var followWindow = new CancellationTokenSource(AsksToFollow(request) ? FollowWindow : Timeout.InfiniteTimeSpan);
        var options = new CallOptions(deadline: DateTime.UtcNow + TimeSpan.FromSeconds(60), cancellationToken: followWindow.Token);
        try
        {
            if (descriptor.IsServerStreaming)
            {
                using var call = invoker.AsyncServerStreamingCall(Method(descriptor, MethodType.ServerStreaming), null, options, request);
                for (var read = 0; read < maxItems && await call.ResponseStream.MoveNext(CancellationToken.None); read++)
                {
                }

                return null;
            }

            if (descriptor.IsClientStreaming)
            {
                throw new NotSupportedException($"{rpc} is client streaming; teach RpcCatalog to call it.");
            }

            await invoker.AsyncUnaryCall(Method(descriptor, MethodType.Unary), null, options, request).ResponseAsync;
            return null;
        }
        catch (RpcException ex)
        {
            return ex;
        }
    }

    private static readonly TimeSpan FollowWindow = TimeSpan.FromSeconds(1);

    private static bool AsksToFollow(IMessage request) =>
        request.Descriptor.FindFieldByName("follow") is { FieldType: FieldType.Bool } follow && follow.Accessor.GetValue(request) is true;

    private static IEnumerable<Rpc> Enumerate(string server, Type implementation)
    {
        foreach (var method in Descriptor(implementation).Methods)
        {
            // The implementation's own handler of the RPC: an override of the generated method, or one served in its place
            // with another response type (ListIssuedLicensePages' pages, written as bytes); the generated base declares no roles.
            var roles = implementation.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.Name == method.Name)
                .Select(m => m.GetCustomAttribute<AllowRolesAttribute>()?.Roles)
                .SingleOrDefault(declared => declared is not null) ?? [];
            yield return new Rpc(server, method, roles);
        }
    }

    private static Method<IMessage, IMessage> Method(MethodDescriptor descriptor, MethodType type) => new(
        type, descriptor.Service.FullName, descriptor.Name, Marshaller(descriptor.InputType), Marshaller(descriptor.OutputType));

    private static Marshaller<IMessage> Marshaller(MessageDescriptor message) =>
        Marshallers.Create<IMessage>(m => m.ToByteArray(), bytes => message.Parser.ParseFrom(bytes));
}
