using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RdsPlatform.ServiceDefaults.Security;

public static class SecurityExtensions
{
    /// <summary>The accepted API keys (hashed), the failed-authentication limiter and their options.</summary>
    public static IHostApplicationBuilder AddRdsAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<AuthOptions>(builder.Configuration.GetSection(AuthOptions.SectionName));
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
        return builder;
    }

    /// <summary>Sends <c>authorization: Bearer &lt;key&gt;</c> on every call of a service-to-service client.</summary>
    public static IHttpClientBuilder WithBearerKey(this IHttpClientBuilder client, Func<IServiceProvider, string?> key) =>
        client.AddInterceptor(InterceptorScope.Client, sp => new BearerKeyInterceptor(key(sp)));
}
