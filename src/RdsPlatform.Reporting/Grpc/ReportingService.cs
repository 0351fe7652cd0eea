namespace RdsPlatform.Reporting.Grpc;

/// <summary><c>rds.reporting.v1.Reporting</c>. Its RPCs answer Unimplemented until the Reporting issue lands.</summary>
public sealed class ReportingService : Contracts.Reporting.V1.Reporting.ReportingBase;
