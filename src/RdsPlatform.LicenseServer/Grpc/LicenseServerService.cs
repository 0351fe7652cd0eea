namespace RdsPlatform.LicenseServer.Grpc;

/// <summary><c>rds.licensing.v1.LicenseServer</c>. Its RPCs answer Unimplemented until the License server issue lands.</summary>
public sealed class LicenseServerService : Contracts.Licensing.V1.LicenseServer.LicenseServerBase;
