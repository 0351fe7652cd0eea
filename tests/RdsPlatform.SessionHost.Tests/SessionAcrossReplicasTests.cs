using RdsPlatform.Contracts.Common.V1;
using RdsPlatform.Contracts.SessionHost.V1;
using RdsPlatform.Testing;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>
/// A session a replica acknowledged (Connect answered with its id) is signed in on the replica that serves the client
/// next, even when the first one stops right after answering: its session writes leave through a background writer,
/// and stopping the replica sends what that writer still holds.
/// </summary>
public sealed class SessionAcrossReplicasTests(GarnetFixture garnet) : IClassFixture<GarnetFixture>
{
    [Fact]
    public async Task SessionsAnsweredJustBeforeAReplicaStopsAreSignedInOnTheNextReplica()
    {
        await using var farm = new Farm(garnet.ConnectionString);
        await farm.ConfigureAsync("rdsh-replicas", LicensingMode.PerDevice);
        var connects = Enumerable.Range(0, 200).Select(i => farm.ConnectDeviceAsync("rdsh-replicas", $"replica-dev-{i}"));
        var sessions = (await Task.WhenAll(connects)).Select(c => c.SessionId).ToList();

        // The next replica starts on the same cache with nothing in process.
        await farm.RestartGatewayAsync();

        foreach (var sessionId in sessions)
        {
            var signIn = await farm.Gateway.SignInAsync(new SignInRequest { SessionId = sessionId });
            Assert.NotEqual(ReasonCode.Unspecified, signIn.Reason);
        }
    }
}
