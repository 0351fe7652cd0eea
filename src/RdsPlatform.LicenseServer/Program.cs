// Composition only: service defaults, the license server's parts (Extensions.cs), its gRPC service.
using RdsPlatform.LicenseServer;
using RdsPlatform.LicenseServer.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddLicenseServer();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<LicenseServerService>().PreferEncodedLicensePages();

app.Run();
