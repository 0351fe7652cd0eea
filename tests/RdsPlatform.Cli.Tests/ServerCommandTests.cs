namespace RdsPlatform.Cli.Tests;

public sealed class ServerCommandTests
{
    [Fact]
    public async Task StatusShowsANewServerAsNotActivated()
    {
        await using var farm = new CliFarm();

        var table = await farm.RunOkAsync("server", "status");
        Assert.Contains("Not Activated", table.Out);
        Assert.Contains("2025", table.Out);
        Assert.Contains("Domain (CONTOSO)", table.Out);

        var json = (await farm.RunOkAsync("server", "status", "--json")).Json().GetProperty("server");
        Assert.Equal("ACTIVATION_STATE_NOT_ACTIVATED", json.GetProperty("activationState").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("serverId").GetString()));
    }

    [Fact]
    public async Task ActivateWithContactDetailsActivatesTheServer()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunOkAsync("server", "activate", "--first-name", "Ada", "--last-name", "Lovelace",
            "--company", "Contoso", "--country", "GB", "--email", "ada@contoso.example");

        Assert.Contains("The license server is activated", result.Out);
        Assert.Contains("Ada Lovelace, Contoso, GB, ada@contoso.example", result.Out);
        var json = (await farm.RunOkAsync("server", "status", "--json")).Json().GetProperty("server");
        Assert.Equal("ACTIVATION_STATE_ACTIVATED", json.GetProperty("activationState").GetString());
        Assert.Equal("Contoso", json.GetProperty("contact").GetProperty("company").GetString());
    }

    [Fact]
    public async Task ActivateWithoutContactDetailsIsRefusedFieldByField()
    {
        await using var farm = new CliFarm();

        var result = await farm.RunAsync("server", "activate", "--first-name", "Ada");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: InvalidArgument: ", result.Error);
        Assert.Contains("  - contact.", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task DeactivateThenReactivateNeedsAReason()
    {
        await using var farm = new CliFarm();
        await farm.ActivateAsync();

        var deactivated = await farm.RunOkAsync("server", "deactivate", "--reason", "Moving to new hardware");
        Assert.Contains("The license server is deactivated", deactivated.Out);
        Assert.Contains("Deactivated", deactivated.Out);

        var withoutReason = await farm.RunAsync("server", "reactivate");
        Assert.Equal(1, withoutReason.ExitCode);
        Assert.Contains("error: InvalidArgument", withoutReason.Error);
        Assert.Contains("reason", withoutReason.Error);

        var reactivated = await farm.RunOkAsync("server", "reactivate", "--reason", "Hardware replaced", "--json");
        Assert.Equal("ACTIVATION_STATE_ACTIVATED", reactivated.Json().GetProperty("server").GetProperty("activationState").GetString());
    }
}
