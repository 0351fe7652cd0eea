using RdsPlatform.LicenseServer;
using RdsPlatform.LicenseServer.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddLicenseServer();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<LicenseServerService>();

app.Run();
