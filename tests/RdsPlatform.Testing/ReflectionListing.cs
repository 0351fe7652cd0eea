using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Xunit;

namespace RdsPlatform.Testing;

/// <summary>What grpcurl's <c>list</c> asks a service: the names of the gRPC services its reflection serves.</summary>
public static class ReflectionListing
{
    public static async Task<IReadOnlyList<string>> ServicesAsync(GrpcChannel channel, DateTime deadline)
    {
        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo(deadline: deadline);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "The reflection service ended its stream without listing any service.");
        return call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
    }
}
