using Grpc.Core;
using RdsPlatform.Contracts.SessionHost.V1;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;

namespace RdsPlatform.SessionHost.Tests.SharedCache;

internal static class SignIn
{
    /// <summary>
    /// Signs a session in, retrying NotFound for up to 5 s: the cache write leaves without waiting for the caller, so on a
    /// loaded machine it may land a moment after Connect answered.
    /// </summary>
    public static Task<SignInResponse> EventuallyAsync(GatewayClient gateway, string sessionId) =>
        RetryNotFoundAsync(() => gateway.SignInAsync(new SignInRequest { SessionId = sessionId }).ResponseAsync);

    /// <summary>Disconnects a session on a replica that knows it only through the cache, retrying NotFound as <see cref="EventuallyAsync"/> does.</summary>
    public static Task<DisconnectResponse> DisconnectEventuallyAsync(GatewayClient gateway, string sessionId) =>
        RetryNotFoundAsync(() => gateway.DisconnectAsync(new DisconnectRequest { SessionId = sessionId }).ResponseAsync);

    private static async Task<T> RetryNotFoundAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
