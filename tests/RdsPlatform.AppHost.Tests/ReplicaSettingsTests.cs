using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using RdsPlatform.ServiceDefaults;

namespace RdsPlatform.AppHost.Tests;

/// <summary>
/// Replicas:* that cannot work stop the AppHost before anything starts, with a sentence naming the settings to change:
/// replicas share a service's state only through PostgreSQL.
/// </summary>
public sealed class ReplicaSettingsTests
{
    [Theory]
    [InlineData("--Replicas:SessionHost=2", "Replicas:SessionHost is 2 but Database:Mode is sqlite")]
    [InlineData("--Replicas:Reporting=3", "Replicas:Reporting is 3 but Database:Mode is sqlite")]
    [InlineData("--Replicas:LicenseServer=2", "Replicas:LicenseServer is 2 but Database:Mode is sqlite")]
    [InlineData("--Replicas:SessionHost=two", "Replicas:SessionHost is 'two'; set it to a whole number of processes from 1 to 8")]
    [InlineData("--Replicas:Reporting=0", "Replicas:Reporting is '0'; set it to a whole number of processes from 1 to 8")]
    public async Task ReplicasThatCannotWorkStopTheAppHostWithASentenceNamingTheSettings(string argument, string sentence)
    {
        var messages = await StartErrorAsync(argument, "--Database:Mode=sqlite");

        Assert.Contains(sentence, messages);
    }

    [Fact]
    public async Task TheSqliteRefusalSaysWhichDatabaseModesAllowReplicas()
    {
        var messages = await StartErrorAsync("--Replicas:SessionHost=2");

        Assert.Contains("set Database:Mode to postgres, external or container, or Replicas:SessionHost to 1", messages);
    }

    [Fact]
    public async Task OnPostgresAServiceGetsTheReplicasAskedForAndTheOthersKeepOne()
    {
        var builder = await AppHostTopology.CreateBuilderAsync(
            ["--Cache:Mode=garnet", "--Database:Mode=external", "--ConnectionStrings:postgres=Host=127.0.0.1;Database=rds", "--Replicas:SessionHost=3"]);
        await using var app = await builder.BuildAsync();
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();

        int Replicas(string name) => model.Resources.Single(r => r.Name == name).TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1;
        Assert.Equal((3, 1, 1), (Replicas(ResourceNames.SessionHost), Replicas(ResourceNames.Reporting), Replicas(ResourceNames.LicenseServer)));
    }

    private static async Task<string> StartErrorAsync(params string[] arguments)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var builder = await AppHostTopology.CreateBuilderAsync([.. arguments, "--Cache:Mode=garnet"]);
            await using var app = await builder.BuildAsync();
        });
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }
}
