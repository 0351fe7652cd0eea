using RdsPlatform.ServiceDefaults.Outcomes;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>The gateway's expected refusals, each a sentence a person can act on (the gRPC adapter turns them into status codes).</summary>
public static class GatewayProblems
{
    public static Problem HostNotFound(string hostId) =>
        Problem.NotFound($"The session host {hostId} is not registered; call ConfigureSessionHost to register it first.");

    public static Problem SessionNotFound(string sessionId) =>
        Problem.NotFound($"No session {sessionId} is known (it ended or expired); call Connect to start a new session.");
}
