using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RdsPlatform.ServiceDefaults.Clock;

/// <summary>Registers the service's clock: the system clock, or the simulated clock shared through the cache.</summary>
public static class ClockExtensions
{
    /// <summary>Registers the <see cref="SharedClock"/> as the service's one <see cref="TimeProvider"/>.</summary>
    public static IHostApplicationBuilder AddSharedClock(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ClockOptions.SectionName);
        builder.Services.AddValidatedOptions<ClockOptions>(ClockOptions.SectionName);
        var mode = section.GetValue<ClockMode?>(nameof(ClockOptions.Mode)) ?? ClockMode.System;
        if (mode == ClockMode.Simulated && builder.Environment.IsProduction())
        {
            throw new InvalidOperationException(
                "Clock:Mode=Simulated is for Development and tests only; remove it (or set Clock:Mode=System) to run in Production.");
        }

        builder.Services.AddSingleton(sp => new SharedClock(mode));
        builder.Services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<SharedClock>());
        builder.Services.AddSingleton<SharedClockSync>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SharedClockSync>());
        return builder;
    }
}
