using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RdsPlatform.SessionHost.Alerts;

namespace RdsPlatform.SessionHost.Tests;

/// <summary>A grace alert threshold or interval that cannot work stops the gateway at start-up, naming the setting and its value.</summary>
public sealed class GraceAlertOptionsTests
{
    [Theory]
    [InlineData("Alerts:GraceDaysThreshold", "121", "Alerts:GraceDaysThreshold is 121; give 1 to 120")]
    [InlineData("Alerts:GraceDaysThreshold", "0", "Alerts:GraceDaysThreshold is 0; give 1 to 120")]
    [InlineData("Alerts:CheckInterval", "00:00:00", "Alerts:CheckInterval must be positive")]
    public async Task ASettingThatCannotWorkStopsTheStartWithTheSettingNamed(string key, string value, string sentence)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.AddGraceAlertOptions();
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(sentence, refused.Message, StringComparison.Ordinal);
    }
}
