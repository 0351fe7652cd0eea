// The reporting service: report snapshots and the live compliance summary over gRPC.
using RdsPlatform.Reporting;
using RdsPlatform.Reporting.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddReporting();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<ReportingService>();

app.Run();
