using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost;

/// <summary>
/// Where the services keep their durable state, as the services see it: nothing to attach for SQLite, or for PostgreSQL
/// a connection string per service (its own database) and the server to wait for.
/// </summary>
/// <param name="Mode">sqlite, postgres, external or container.</param>
/// <param name="AttachTo">Points a service at its database; <c>connectionName</c> is also the database's name.</param>
public sealed record RdsDatabase(string Mode, Action<IResourceBuilder<ProjectResource>, string> AttachTo);

public static class DatabaseResourceExtensions
{
    public const string PostgresResource = "postgres";

    /// <summary>Each service's own database on PostgreSQL, named as its connection string.</summary>
    public static readonly string[] PostgresDatabases = ["licensing", "gateway", "reporting"];

    /// <summary>
    /// <c>Database:Mode</c>: <c>sqlite</c> (default: a file per service), <c>postgres</c> (Debian's server run by the
    /// AppHost, its data under the data root), <c>external</c> (<c>ConnectionStrings:postgres</c>, one database every
    /// service shares, tables and migration history kept apart per service) or <c>container</c> (AddPostgres).
    /// </summary>
    public static RdsDatabase AddRdsDatabase(this IDistributedApplicationBuilder builder, string dataRoot)
    {
        var mode = (builder.Configuration["Database:Mode"] ?? "sqlite").Trim().ToLowerInvariant();
        switch (mode)
        {
            case "sqlite":
                return new RdsDatabase(mode, (_, _) => { });
            case "external":
                var external = builder.AddConnectionString(PostgresResource);
                return new RdsDatabase(mode, (project, name) => project
                    .WithEnvironment("Storage__Provider", "Postgres")
                    .WithEnvironment($"ConnectionStrings__{name}", external.Resource.ConnectionStringExpression));
            case "container":
                var container = builder.AddPostgres(PostgresResource);
                var databases = PostgresDatabases.ToDictionary(name => name, name => container.AddDatabase($"{name}-db", name));
                return new RdsDatabase(mode, (project, name) => project
                    .WithEnvironment("Storage__Provider", "Postgres")
                    .WithReference(databases[name], connectionName: name)
                    .WaitFor(databases[name]));
            case "postgres":
                var server = builder.AddLocalPostgresServer(Path.Combine(dataRoot, PostgresResource));
                return new RdsDatabase(mode, (project, name) => project
                    .WithEnvironment("Storage__Provider", "Postgres")
                    .WithEnvironment($"ConnectionStrings__{name}", server.Resource.ConnectionStringFor(name))
                    .WaitFor(server));
            default:
                throw new InvalidOperationException(
                    $"Database:Mode '{mode}' is unknown; use sqlite (default), postgres (the machine's PostgreSQL server), external (ConnectionStrings:postgres) or container.");
        }
    }

    public static IResourceBuilder<ProjectResource> WithDatabase(this IResourceBuilder<ProjectResource> project, RdsDatabase database, string connectionName)
    {
        database.AttachTo(project, connectionName);
        return project;
    }

    /// <summary>
    /// The machine's PostgreSQL server (Debian: apt-get install postgresql) as an executable resource: initdb on first
    /// run, then <c>postgres</c> on a port Aspire allocates, loopback only. PostgreSQL refuses to run as root, so as root
    /// it runs as the <c>postgres</c> user (runuser) in a folder that user owns. Healthy once each service's database exists.
    /// </summary>
    private static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgresServer(this IDistributedApplicationBuilder builder, string dataDirectory)
    {
        var bin = LocalPostgres.FindBinaries();
        var asRoot = Environment.UserName == "root";
        LocalPostgres.InitializeOnce(bin, dataDirectory, asRoot);
        var postgres = Path.Combine(bin, "postgres");
        var resource = new LocalPostgresServerResource(PostgresResource, asRoot ? "runuser" : postgres, dataDirectory);
        var key = $"{PostgresResource}-databases";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, _ => new DatabasesExistHealthCheck(resource, PostgresDatabases), failureStatus: null, tags: null));
        return builder.AddResource(resource)
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                if (asRoot)
                {
                    foreach (var part in new[] { "-u", "postgres", "--", postgres })
                    {
                        context.Args.Add(part);
                    }
                }

                context.Args.Add("-D");
                context.Args.Add(Path.Combine(dataDirectory, "data"));
                context.Args.Add("-p");
                context.Args.Add(resource.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-c");
                context.Args.Add("listen_addresses=127.0.0.1");
                // No Unix socket: its path under a deep data root can pass the 107-byte limit, and TCP is all the services use.
                context.Args.Add("-c");
                context.Args.Add("unix_socket_directories=");
            })
            .WithHealthCheck(key);
    }

    /// <summary>Creates each service's database when missing; healthy when all exist, so services waiting for the server find theirs.</summary>
    private sealed class DatabasesExistHealthCheck(LocalPostgresServerResource server, string[] databases) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var connectionString = await server.ConnectionStringFor("postgres").GetValueAsync(cancellationToken);
                await using var connection = new NpgsqlConnection(connectionString + ";Timeout=3;Pooling=false");
                await connection.OpenAsync(cancellationToken);
                foreach (var database in databases)
                {
                    await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
                    exists.Parameters.AddWithValue("name", database);
                    if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                    {
                        // Names are our own constants; CREATE DATABASE takes no parameters.
                        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                        await create.ExecuteNonQueryAsync(cancellationToken);
                    }
                }

                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL is not accepting connections yet.", ex);
            }
        }
    }
}

/// <summary>A PostgreSQL server process the AppHost runs; each service's connection string names its own database.</summary>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ConnectionStringFor("postgres");

    /// <summary>Trust authentication on loopback, user postgres (initdb -A trust): a developer's machine, not a shared one.</summary>
    public ReferenceExpression ConnectionStringFor(string database) => ReferenceExpression.Create(
        $"Host={Endpoint.Property(EndpointProperty.Host)};Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres;Database={database}");
}
