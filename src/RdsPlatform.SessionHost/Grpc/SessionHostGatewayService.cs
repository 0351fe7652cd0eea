namespace RdsPlatform.SessionHost.Grpc;

/// <summary><c>rds.sessionhost.v1.SessionHostGateway</c>. Its RPCs answer Unimplemented until the Gateway issue lands.</summary>
public sealed class SessionHostGatewayService : Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayBase;
