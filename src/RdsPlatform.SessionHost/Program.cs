using RdsPlatform.SessionHost.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSessionHostGateway();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<SessionHostGatewayService>();

app.Run();
