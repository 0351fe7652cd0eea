using RdsPlatform.Reporting.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<ReportingService>();

app.Run();
