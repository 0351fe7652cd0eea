using Microsoft.Extensions.Hosting;
using RdsPlatform.AppHost;
using RdsPlatform.ServiceDefaults;

var builder = DistributedApplication.CreateBuilder(args);

// Where the services keep their SQLite files; tests point it at a fresh folder.
var dataRoot = AppHostPaths.DataRoot(builder);
// Development runs on simulated time so a 120-day grace period can be crossed in seconds.
var clockMode = builder.Configuration["RdsPlatform:ClockMode"] ?? (builder.Environment.IsDevelopment() ? "Simulated" : "System");
// The license server's version, scope and domain (LicenseServer:*), checked before anything starts.
var licenseServerSettings = LicenseServerSettings.From(builder.Configuration);

var cache = builder.AddRdsCache();

// Database:Mode picks SQLite files (default) or PostgreSQL, a database per service (docs/storage.md).
var database = builder.AddRdsDatabase(dataRoot);

// Replicas:* runs several processes of a service behind its one port; more than one needs PostgreSQL (docs/scale-out.md).
var replicas = ReplicaSettings.From(builder.Configuration, database.Mode, DatabaseResourceExtensions.PostgresDatabases);

// Every call carries an API key; the keys are secret parameters generated on first run (docs/security.md).
var keys = builder.AddApiKeys();

// A service's own settings given to the AppHost (Gateway:*, Reporting:*, Webhooks:*, ...) are forwarded to it first;
// what the AppHost sets itself comes after and wins (ForwardedSettings).
var licenseServer = builder.AddProject<Projects.RdsPlatform_LicenseServer>(ResourceNames.LicenseServer)
    .WithForwardedSettings(builder.Configuration)
    .WithRdsServiceDefaults(dataRoot, clockMode)
    .WithLicenseServerSettings(licenseServerSettings)
    .WithHttpPorts(httpApiPort: 5111, managementPort: 9101)
    .WithApiKeys(keys)
    .WithCache(cache)
    .WithRdsReplicas(replicas.LicenseServer)
    .WithDatabase(database, "licensing");

var sessionHost = builder.AddProject<Projects.RdsPlatform_SessionHost>(ResourceNames.SessionHost)
    .WithForwardedSettings(builder.Configuration)
    .WithRdsServiceDefaults(dataRoot, clockMode)
    .WithHttpPorts(httpApiPort: 5112, managementPort: 9102)
    .WithApiKeys(keys)
    .WithEnvironment("Gateway__LicenseServerApiKey", keys.Gateway)
    .WithCache(cache)
    .WithDatabase(database, "gateway")
    .WithRdsReplicas(replicas.SessionHost)
    .WithReference(licenseServer)
    .WaitFor(licenseServer);

var reporting = builder.AddProject<Projects.RdsPlatform_Reporting>(ResourceNames.Reporting)
    .WithForwardedSettings(builder.Configuration)
    .WithRdsServiceDefaults(dataRoot, clockMode)
    .WithHttpPorts(httpApiPort: 5113, managementPort: 9103)
    .WithApiKeys(keys)
    .WithEnvironment("Reporting__LicenseServerApiKey", keys.Reporting)
    .WithCache(cache)
    .WithDatabase(database, "reporting")
    .WithRdsReplicas(replicas.Reporting)
    .WithReference(licenseServer)
    .WaitFor(licenseServer);

// RD Licensing Manager in the browser. It has no key of its own: each person signs in with theirs, forwarded on every call.
builder.AddProject<Projects.RdsPlatform_Manager>(ResourceNames.Manager)
    .WithForwardedSettings(builder.Configuration)
    .WithEnvironment("Storage__DataDirectory", Path.Combine(dataRoot, ResourceNames.Manager))
    .WithReference(licenseServer)
    .WaitFor(licenseServer)
    .WithReference(sessionHost)
    .WaitFor(sessionHost)
    .WithReference(reporting)
    .WaitFor(reporting)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
