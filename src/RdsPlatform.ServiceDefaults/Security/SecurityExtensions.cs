using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RdsPlatform.ServiceDefaults.Security;

/// <summary>Registers API-key authentication, role authorization with a deny-by-default fallback, and the failed-authentication limit.</summary>
public static class SecurityExtensions
{
    /// <summary>The accepted API keys (hashed), their authentication scheme, the role policies and the failed-authentication limiter.</summary>
    public static IHostApplicationBuilder AddRdsAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AuthOptions>(AuthOptions.SectionName);
        builder.Services.AddSingleton(sp =>
        {
            var store = new ApiKeyStore(sp.GetRequiredService<IConfiguration>());
            if (store.Count == 0)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<ApiKeyStore>().LogWarning(
                    "No API keys are configured (Auth:Keys); every call except health and reflection will be refused. See docs/security.md.");
            }

            return store;
        });
        builder.Services.AddSingleton<AuthFailureLimiter>();
        builder.Services.AddSingleton<AdmittedCallShortcut>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(RdsPolicies.DenyByDefault)
            .AddPolicy(RdsPolicies.Nobody, RdsPolicies.DenyByDefault);
        builder.Services.AddSingleton<IAuthorizationHandler, DeclaredAccessHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, RpcAuthorizationResultHandler>();
        return builder;
    }

    /// <summary>
    /// Authentication and authorization, where the pipeline reaches them: after routing and the management port's
    /// <c>/metrics</c> branch, before any RPC reads its message. A call the framework already admitted (same key, same
    /// endpoint) skips the framework's two middleware (<see cref="AdmittedCallShortcut"/>); every other call goes
    /// through them. Reads the keys now, so a configuration mistake stops the service at start, not at its first call.
    /// </summary>
    public static WebApplication UseRdsAuthentication(this WebApplication app)
    {
        app.Services.GetRequiredService<ApiKeyStore>();
        var shortcut = app.Services.GetRequiredService<AdmittedCallShortcut>();
        RequestDelegate? next = null;
        IApplicationBuilder pipeline = app;
        var framework = pipeline.New();
        framework.UseAuthentication();
        framework.UseAuthorization();
        framework.Run(context => next!(context));
        var throughFramework = framework.Build();
        // UseAuthentication/UseAuthorization mark the builder they are called on so that WebApplication does not add
        // them again at the front of the pipeline; the branch has its own copy of those marks, so they are copied back.
        foreach (var (key, value) in framework.Properties)
        {
            pipeline.Properties.TryAdd(key, value);
        }

        app.Use(following =>
        {
            next = following;
            return context => shortcut.InvokeAsync(context, following, throughFramework);
        });
        return app;
    }

    /// <summary>Sends <c>authorization: Bearer &lt;key&gt;</c> on every call of a service-to-service client.</summary>
    public static IHttpClientBuilder WithBearerKey(this IHttpClientBuilder client, Func<IServiceProvider, string?> key) =>
        client.AddInterceptor(InterceptorScope.Client, sp => new BearerKeyInterceptor(key(sp)));
}
