using Microsoft.Extensions.Hosting;
using RdsPlatform.AppHost;
using RdsPlatform.ServiceDefaults;

var builder = DistributedApplication.CreateBuilder(args);

// Where the services keep their SQLite files; tests point it at a fresh folder.
var dataRoot = builder.Configuration["RdsPlatform:DataRoot"] ?? Path.Combine(builder.AppHostDirectory, ".data");
// Development runs on simulated time so a 120-day grace period can be crossed in seconds.
var clockMode = builder.Configuration["RdsPlatform:ClockMode"] ?? (builder.Environment.IsDevelopment() ? "Simulated" : "System");
// The license server's version, scope and domain (LicenseServer:*), checked before anything starts.
var licenseServerSettings = LicenseServerSettings.From(builder.Configuration);

var cache = builder.AddRdsCache();

// Every call carries an API key; the keys are secret parameters generated on first run (docs/security.md).
var keys = builder.AddApiKeys();

var licenseServer = builder.AddProject<Projects.RdsPlatform_LicenseServer>(ResourceNames.LicenseServer)
    .WithRdsServiceDefaults(dataRoot, clockMode)
    .WithLicenseServerSettings(licenseServerSettings)
    .WithHttpPorts(httpApiPort: 5111, managementPort: 9101)
    .WithApiKeys(keys)
    .WithCache(cache);

builder.AddProject<Projects.RdsPlatform_SessionHost>(ResourceNames.SessionHost)
    .WithRdsServiceDefaults(dataRoot, clockMode)
    .WithHttpPorts(httpApiPort: 5112, managementPort: 9102)
    .WithApiKeys(keys)
    .WithEnvironment("Gateway__LicenseServerApiKey", keys.Gateway)
    .WithCache(cache)
    .WithReference(licenseServer)
    .WaitFor(licenseServer);

builder.AddProject<Projects.RdsPlatform_Reporting>(ResourceNames.Reporting)
    .WithRdsServiceDefaults(dataRoot, clockMode)
    .WithHttpPorts(httpApiPort: 5113, managementPort: 9103)
    .WithApiKeys(keys)
    .WithEnvironment("Reporting__LicenseServerApiKey", keys.Reporting)
    .WithCache(cache)
    .WithReference(licenseServer)
    .WaitFor(licenseServer);

builder.Build().Run();
