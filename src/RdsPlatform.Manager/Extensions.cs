using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Radzen;
using RdsPlatform.Contracts.Admin.V1;
using RdsPlatform.Manager.Rds;
using GatewayClient = RdsPlatform.Contracts.SessionHost.V1.SessionHostGateway.SessionHostGatewayClient;
using LicenseServerClient = RdsPlatform.Contracts.Licensing.V1.LicenseServer.LicenseServerClient;
using ReportingClient = RdsPlatform.Contracts.Reporting.V1.Reporting.ReportingClient;

namespace RdsPlatform.Manager;

/// <summary>Registers the web console's parts: the three services' gRPC clients, the API-key sign-in kept server-side, Radzen.</summary>
public static class Extensions
{
    /// <summary>The cookie that carries the signed-in key: encrypted by Data Protection, never readable by page scripts.</summary>
    public const string CookieName = "rds-manager";

    public static WebApplicationBuilder AddManager(this WebApplicationBuilder builder)
    {
        builder.ConfigureOpenTelemetry();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        builder.Services.AddHealthChecks();

        var manager = builder.Configuration.GetSection(ManagerOptions.SectionName).Get<ManagerOptions>() ?? new ManagerOptions();
        builder.Services.Configure<ManagerOptions>(builder.Configuration.GetSection(ManagerOptions.SectionName));
        builder.Services.AddRdsGrpcClient<LicenseServerClient>(manager.LicenseServerAddress, manager.CallDeadline);
        builder.Services.AddRdsGrpcClient<GatewayClient>(manager.GatewayAddress, manager.CallDeadline);
        builder.Services.AddRdsGrpcClient<ReportingClient>(manager.ReportingAddress, manager.CallDeadline);
        // Advance on any service moves time for all of them; the license server's clock is the one the console reads.
        builder.Services.AddRdsGrpcClient<Clock.ClockClient>(manager.LicenseServerAddress, manager.CallDeadline);
        builder.Services.AddScoped<RdsConsole>();
        builder.Services.AddScoped<KeySignIn>();

        // The cookie is encrypted with keys kept in the data folder, so a restart does not sign everyone out.
        var storage = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var keys = Path.Combine(Path.GetFullPath(storage.DataDirectory, builder.Environment.ContentRootPath), "data-protection-keys");
        builder.Services.AddDataProtection()
            .SetApplicationName("RdsPlatform.Manager")
            .PersistKeysToFileSystem(new DirectoryInfo(keys));

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                // The AppHost serves the console over cleartext HTTP on localhost; behind TLS the cookie is Secure.
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/signin";
                options.AccessDeniedPath = "/signin";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRadzenComponents();
        return builder;
    }

    public static WebApplication MapManager(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<Components.App>().AddInteractiveServerRenderMode();
        app.MapManagerEndpoints();
        app.MapHealthChecks("/health");
        app.Services.GetRequiredService<IOptions<ManagerOptions>>();
        return app;
    }
}
