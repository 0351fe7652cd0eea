using System.Diagnostics.CodeAnalysis;
using Grpc.Net.Client.Configuration;
using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RdsPlatform.ServiceDefaults;
using RdsPlatform.ServiceDefaults.Clock;
using RdsPlatform.ServiceDefaults.Grpc;
using RdsPlatform.ServiceDefaults.Health;
using RdsPlatform.ServiceDefaults.Http;
using RdsPlatform.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every RdsPlatform service has: telemetry, health, discovery, the cache, the shared clock and gRPC plumbing.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Meter and activity-source prefix of every RdsPlatform business metric and span.</summary>
    public const string TelemetryPrefix = "RdsPlatform";

    /// <summary>How long a stopping service lets in-flight calls finish before it aborts them.</summary>
    public static readonly TimeSpan ServiceShutdownTimeout = TimeSpan.FromSeconds(3);

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddRdsPorts();
        builder.ConfigureOpenTelemetry();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());

        builder.AddRdsCache();
        builder.AddSharedClock();

        builder.AddRdsAuthentication();
        builder.Services.AddValidatedOptions<RpcOptions>(RpcOptions.SectionName);
        var grpc = builder.Services.AddGrpc(options =>
        {
            options.Interceptors.Add<ServerErrorInterceptor>();
            options.Interceptors.Add<StreamDurationInterceptor>();
            options.MaxReceiveMessageSize = RpcLimits.MaxReceiveMessageBytes;
            options.EnableDetailedErrors = false;
        });
        builder.AddRdsHttpApi(grpc);
        builder.Services.AddGrpcReflection();
        builder.Services.AddRdsHealthChecks();

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var exportsOtlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter($"{TelemetryPrefix}.*")
                // Scraped on the management port (UseManagementEndpoint); OTLP export is unaffected. Not cached: a
                // scrape right after a change (an operator's curl, a test) shows it, and one Prometheus scrapes rarely.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource($"{TelemetryPrefix}.*")
                .AddAspNetCoreInstrumentation(options =>
                    // Health probes, reflection and other services' background polls would drown the traces that matter.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health")
                        && !context.Request.Path.StartsWithSegments("/grpc.reflection")
                        && !context.Request.Headers.ContainsKey(BackgroundCalls.Header))
                .AddGrpcClientInstrumentation()
                // Not filtered for gRPC: a filtered-out HTTP span marks the propagated context as not
                // sampled, and the next service would then drop its half of the trace.
                .AddHttpClientInstrumentation()
                // Background loops (the shared clock, revocation feeds) poll the cache several times a second;
                // only cache calls made while serving a request belong in traces.
                .AddRedisInstrumentation(options => options.Filter = context => context.ParentActivity is not null)
                .SetSamplerWhenNothingReceivesSpans(exportsOtlp, builder.Configuration));

        if (exportsOtlp)
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        // Whatever the collector does, a stopping service exits within seconds (TelemetryShutdown).
        builder.Services.AddHostedService<TelemetryShutdown>();
        // In-flight calls get this long to finish once a service is asked to stop (the default is 30 s): with the
        // telemetry flush, a service is gone within the 5 s an orchestrator waits. Acknowledged writes are already
        // committed, and the license server still drains its queued writes when its store is disposed.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ServiceShutdownTimeout);

        return builder;
    }

    /// <summary>
    /// With no OTLP endpoint and no sampler chosen (<c>OTEL_TRACES_SAMPLER</c>), no span would leave the process: every
    /// call would still build and time its activities (3-4 % of a Connect's CPU, docs/performance.md) for nothing, so
    /// none are sampled. An endpoint (the AppHost always sets one) keeps every span; an operator sampling a busy farm sets
    /// <c>OTEL_TRACES_SAMPLER</c> (for example <c>parentbased_traceidratio</c> with <c>OTEL_TRACES_SAMPLER_ARG=0.01</c>),
    /// which the OpenTelemetry SDK reads itself.
    /// </summary>
    private static TracerProviderBuilder SetSamplerWhenNothingReceivesSpans(this TracerProviderBuilder tracing, bool exportsOtlp, IConfiguration configuration) =>
        !exportsOtlp && string.IsNullOrWhiteSpace(configuration["OTEL_TRACES_SAMPLER"])
            ? tracing.SetSampler(new AlwaysOffSampler())
            : tracing;

    /// <summary>
    /// Registers a typed client for another RdsPlatform service: discovered by name, with a default deadline
    /// on every call and retries of Unavailable only. <paramref name="name"/> names its HTTP client (the type's name when null).
    /// </summary>
    public static IHttpClientBuilder AddRdsGrpcClient<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TClient>(this IServiceCollection services, string address, TimeSpan? defaultDeadline = null,
        string? name = null)
        where TClient : class
    {
        services.AddSingleton(new DefaultDeadlineInterceptor(defaultDeadline ?? RpcLimits.DefaultServiceCallDeadline));
        Action<Grpc.Net.ClientFactory.GrpcClientFactoryOptions> configure = options => options.Address = new Uri(address);
        return (name is null ? services.AddGrpcClient<TClient>(configure) : services.AddGrpcClient<TClient>(name, configure))
            .AddInterceptor<DefaultDeadlineInterceptor>(InterceptorScope.Client)
            .ConfigureChannel(channel =>
            {
                channel.MaxReceiveMessageSize = RpcLimits.MaxReceiveMessageBytes;
                channel.ServiceConfig = new ServiceConfig { MethodConfigs = { RetryUnavailable } };
            });
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Anonymous by its place: the /metrics branch answers before authentication runs (management port only).
        app.UseManagementEndpoint();
        // After routing (WebApplication adds it first), so the endpoint's roles are known, and before any RPC reads a message.
        app.UseRdsAuthentication();
        app.UseMiddleware<UnreadableRequestMiddleware>();
        // The only endpoints open without a key (every other one is denied unless it declares its roles).
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        app.MapGrpcService<ClockService>();
        app.MapHttpApiReference();
        return app;
    }

    private static readonly MethodConfig RetryUnavailable = new()
    {
        Names = { MethodName.Default },
        RetryPolicy = new RetryPolicy
        {
            MaxAttempts = 3,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(500),
            BackoffMultiplier = 2,
            RetryableStatusCodes = { global::Grpc.Core.StatusCode.Unavailable },
        },
    };
}
