using RdsPlatform.LicenseServer.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<LicenseServerService>();

app.Run();
