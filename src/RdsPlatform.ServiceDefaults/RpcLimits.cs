namespace RdsPlatform.ServiceDefaults;

/// <summary>Limits shared by every service's gRPC endpoints and clients.</summary>
public static class RpcLimits
{
    /// <summary>Largest request or response message accepted, in bytes.</summary>
    public const int MaxReceiveMessageBytes = 4 * 1024 * 1024;

    /// <summary>Deadline given to a service-to-service call that did not set one.</summary>
    public static readonly TimeSpan DefaultServiceCallDeadline = TimeSpan.FromSeconds(5);
}
