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
    public static async Task<SignInResponse> EventuallyAsync(GatewayClient gateway, string sessionId)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await gateway.SignInAsync(new SignInRequest { SessionId = sessionId });
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
