// Composition of the session-host gateway: service defaults, the gateway's parts, its gRPC service.
using RdsPlatform.SessionHost.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSessionHostGateway();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<SessionHostGatewayService>();

app.Run();
