using Microsoft.Extensions.Options;

namespace RdsPlatform.SessionHost.Alerts;

/// <summary>Registers the gateway's GRACE_PERIOD_LOW monitor and its validated options (its outbox is one of the gateway's stores) (section <c>Alerts</c>).</summary>
public static class GraceAlertExtensions
{
    public static IHostApplicationBuilder AddGraceAlerts(this IHostApplicationBuilder builder)
    {
        builder.AddGraceAlertOptions();
        builder.Services.AddSingleton<GraceAlertMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GraceAlertMonitor>());
        return builder;
    }

    /// <summary>Section <c>Alerts</c>, checked when the host starts.</summary>
    public static IHostApplicationBuilder AddGraceAlertOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraceAlertOptions>()
            .Bind(builder.Configuration.GetSection(GraceAlertOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<GraceAlertOptions>, GraceAlertOptionsValidation>();
        return builder;
    }

    /// <summary>Refuses to start with a threshold or interval that cannot work, naming the setting and its value.</summary>
    private sealed class GraceAlertOptionsValidation : IValidateOptions<GraceAlertOptions>
    {
        public ValidateOptionsResult Validate(string? name, GraceAlertOptions options) =>
            GraceAlertOptions.Problem(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
